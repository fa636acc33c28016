// The relationships of a large view, drawn straight onto vis-network's canvas instead of
// as its edge objects, in views of more than graph.present.view.LARGE_VIEW_NODES nodes.
// vis-network builds an object with its own options, label and shape for every edge: for the 30,000
// relationships of a 10,000-node view that took more than half of the time to the first
// picture, while a canvas path of the same lines takes a few milliseconds per frame.
// What large views lose: a relationship's tooltip (at that zoom no pointer can aim at one
// line; the text equivalent lists them all). What they keep: colours, dashes for uncertain
// relationships, and the lines of the selected node highlighted, as vis-network does.
// Used by the explorer's component (graph.js) and the standalone page (view.html.j2).
window.kommunetzEdges = function (network, edges, options) {
  "use strict";
  var base = options.edges.color.color;
  var highlight = options.edges.color.highlight;
  var width = options.edges.width || 1;
  var groups = {};   // colour and dashes -> edges, one path each
  var byNode = {};   // node id -> its edges, for the highlight
  edges.forEach(function (e) {
    var style = (e.color || base) + (e.dashes ? "|dash" : "");
    (groups[style] = groups[style] || { color: e.color || base, dashes: !!e.dashes, edges: [] })
      .edges.push(e);
    (byNode[e.from] = byNode[e.from] || []).push(e);
    (byNode[e.to] = byNode[e.to] || []).push(e);
  });
  var nodes = network.body.nodes;

  function stroke(ctx, list, colour, dashes, lineWidth) {
    ctx.beginPath();
    for (var i = 0; i < list.length; i++) {
      var a = nodes[list[i].from], b = nodes[list[i].to];
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
    Object.keys(groups).forEach(function (k) {
      var g = groups[k];
      stroke(ctx, g.edges, g.color, g.dashes, lineWidth);
    });
    network.getSelectedNodes().forEach(function (id) {
      stroke(ctx, byNode[id] || [], highlight, false, 2 * lineWidth);
    });
    ctx.restore();
  });
};
