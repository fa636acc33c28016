// The relationships of a large view, drawn straight onto vis-network's canvas instead of
// as its edge objects, in views of more than graph.present.view.LARGE_VIEW_NODES nodes.
// vis-network builds an object with its own options, label and shape for every edge: for the 30,000
// relationships of a 10,000-node view that took more than half of the time to the first
// picture, while a canvas path of the same lines takes a few milliseconds per frame.
// What large views lose: a relationship's tooltip (at that zoom no pointer can aim at one
// line; the text equivalent lists them all). What they keep: colours, dashes for uncertain
// relationships, and the lines of the selected node highlighted, as vis-network does.
// Used by the explorer's component (graph.js) and the standalone page (view.html.j2).
// The lines come in groups by style (graph.present.view._canvas_lines), each group's ends as
// positions in the view's node list: [from, to, from, to, ...].
window.kommunetzEdges = function (network, groups, nodeRecords, options) {
  "use strict";
  var base = options.edges.color.color;
  var highlight = options.edges.color.highlight;
  var width = options.edges.width || 1;
  var ids = nodeRecords.map(function (n) { return n.id; });
  var byNode = {};   // node id -> the ends of its lines (ids, in pairs), for the highlight
  var styled = groups.map(function (g) {
    var ends = new Array(g.ends.length);
    for (var i = 0; i < g.ends.length; i += 2) {
      var a = ids[g.ends[i]], b = ids[g.ends[i + 1]];
      ends[i] = a;
      ends[i + 1] = b;
      (byNode[a] = byNode[a] || []).push(a, b);
      (byNode[b] = byNode[b] || []).push(a, b);
    }
    return { color: g.color || base, dashes: !!g.dashes, ends: ends };
  });
  var nodes = network.body.nodes;

  function stroke(ctx, ends, colour, dashes, lineWidth) {
    ctx.beginPath();
    for (var i = 0; i < ends.length; i += 2) {
      var a = nodes[ends[i]], b = nodes[ends[i + 1]];
      if (!a || !b) { continue; }
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = lineWidth;
    ctx.setLineDash(dashes ? [5 * lineWidth, 5 * lineWidth] : []);
    ctx.stroke();
  }

  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    // never thinner than a third of a screen pixel, as vis-network draws its edges
    var lineWidth = Math.max(width, 0.3 / network.getScale());
    styled.forEach(function (g) { stroke(ctx, g.ends, g.color, g.dashes, lineWidth); });
    network.getSelectedNodes().forEach(function (id) {
      stroke(ctx, byNode[id] || [], highlight, false, 2 * lineWidth);
    });
    ctx.restore();
  });
};
