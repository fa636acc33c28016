// The explorer's graph (a Streamlit component, protocol v1 by hand: no library, no CDN).
// The app sends the view as "streamlit:render" args; a click on a node is sent back as
// the component's value, so that the page opens the node's details.
(function () {
  "use strict";
  var container = document.getElementById("kn-graph");
  var network = null;
  var nodes = null;
  var shownKey = null;
  var labels = {};       // node id -> full label (labels are hidden where they would overlap)
  var background = {};   // node ids of the directory's background municipalities
  var order = [];        // node ids, most important first
  var clicks = 0;
  var measure = document.createElement("canvas").getContext("2d");
  var LABEL_FONT = "system-ui, sans-serif";
  // when the script ran, the view arrived, the picture was drawn (for bench/app.py)
  var times = window.kommunetzTimes = { ready: Date.now() };

  function send(type, data) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in data) { msg[k] = data[k]; }
    window.parent.postMessage(msg, "*");
  }

  function fitHeight() {
    // the content's own height: the document's would never be less than the frame's
    var height = Math.ceil(document.body.getBoundingClientRect().height) + 4;
    send("streamlit:setFrameHeight", { height: height });
  }

  function setValue(value) {
    send("streamlit:setComponentValue", { value: value, dataType: "json" });
  }

  // Labels by importance, at one size on screen (as in Gephi Lite or Bloom): the most
  // important node keeps its label, each next one only if its label overlaps none shown
  // so far and stays inside the frame. Run again after every zoom: zoomed in, more fit.
  // Municipalities of the directory's background get labels only when zoomed in.
  var LABEL_PX = 13, BACKGROUND_SCALE = 1.5;
  function placeLabels() {
    if (!network) { return; }
    var scale = network.getScale();
    var width = container.clientWidth, height = container.clientHeight;
    var size = LABEL_PX / scale;  // canvas units that make LABEL_PX on screen
    measure.font = LABEL_PX + "px " + LABEL_FONT;
    var boxes = [];
    var updates = [];
    var positions = network.getPositions(order);
    for (var i = 0; i < order.length; i++) {
      var id = order[i];
      var node = nodes.get(id);
      var full = labels[id];
      var show = false;
      if (!background[id] || scale >= BACKGROUND_SCALE) {
        var w = measure.measureText(full).width;
        var p = network.canvasToDOM(positions[id]);
        // where vis-network draws the label: under the shape, at its size plus a fixed
        // gap (canvas units); under an icon's glyph, at half its font size
        var opts = network.body.nodes[id].options;
        var below = opts.shape === "icon" ? opts.icon.size / 2 : opts.size + 14;
        var top = p.y + below * scale;
        var box = { x0: p.x - w / 2 - 3, x1: p.x + w / 2 + 3, y0: top - 2, y1: top + LABEL_PX + 3 };
        if (box.x0 >= 0 && box.x1 <= width && box.y0 >= 0 && box.y1 <= height) {
          show = true;
          for (var j = 0; j < boxes.length; j++) {
            var b = boxes[j];
            if (box.x0 < b.x1 && box.x1 > b.x0 && box.y0 < b.y1 && box.y1 > b.y0) { show = false; break; }
          }
          if (show) { boxes.push(box); }
        }
      }
      var want = show ? full : "";
      if ((node.label || "") !== want || (show && (!node.font || node.font.size !== size))) {
        updates.push({ id: id, label: want, font: { size: size } });
      }
    }
    if (updates.length) { nodes.update(updates); }
    document.body.setAttribute("data-labels", String(boxes.length));
  }

  var pending = null;
  function placeLabelsSoon() {
    if (pending !== null) { clearTimeout(pending); }
    pending = setTimeout(function () { pending = null; placeLabels(); }, 120);
  }

  // fit with a margin, so that nothing is cut off at the frame's edges
  function fit() {
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.92, animation: false });
    placeLabels();
    fitHeight();
  }

  function draw(args) {
    var payload = args.payload;
    container.style.height = args.height + "px";
    container.setAttribute("aria-label", args.label);
    document.getElementById("kn-summary").textContent = args.summary;
    document.getElementById("kn-keys").textContent = args.keys;
    if (window.frameElement) { window.frameElement.title = args.label; }  // same origin
    labels = {};
    background = {};
    payload.nodes.forEach(function (n) {
      labels[n.id] = n.label;
      if (n.imp === 0) { background[n.id] = true; }
    });
    order = payload.nodes.filter(function (n) { return n.label; })
      .sort(function (a, b) { return (b.imp || 0) - (a.imp || 0); })
      .map(function (n) { return n.id; });
    document.body.setAttribute("data-drawn", "0");
    if (network !== null) { network.destroy(); }
    // no label until placed: a crowded first frame would show them all on top of another
    nodes = new vis.DataSet(payload.nodes.map(function (n) {
      var copy = Object.assign({}, n);
      copy.label = "";
      return copy;
    }));
    // a large view's relationships as lines on the canvas (edges.js), not as edge objects
    var edges = new vis.DataSet(payload.canvas_edges ? [] : payload.edges);
    network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
    if (payload.canvas_edges) { window.kommunetzEdges(network, payload.edges, payload.nodes, payload.options); }
    window.kommunetzNetwork = network;
    var view = args.view;
    network.once("afterDrawing", function () {
      times.drawn = Date.now();
      document.body.setAttribute("data-drawn", "1");
      document.body.setAttribute("data-view", view);
    });
    if (payload.options.physics.enabled) {
      // stop moving once laid out: moving content must not go on (WCAG 2.2.2)
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: { enabled: false } });
        fit();
      });
    } else {
      fit();
    }
    if (payload.focus !== null) { network.selectNodes([payload.focus]); }
    network.on("zoom", placeLabelsSoon);
    network.on("dragEnd", placeLabelsSoon);
    network.on("click", function (params) {
      if (params.nodes.length) {
        clicks += 1;
        setValue({ node: params.nodes[0], action: "details", n: clicks, view: shownKey });
      }
    });
    fitHeight();
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) { return; }
    var data = event.data;
    if (!data || data.type !== "streamlit:render") { return; }
    var args = data.args;
    // the same view again (a rerun that changed something else): keep the picture
    if (args.view === shownKey) { return; }
    shownKey = args.view;
    times.render = Date.now();
    draw(args);
  });
  // A click on the picture focuses it (keyboard navigation); the browser would then scroll
  // a partly visible frame into view between press and release, and the click would land
  // beside the node it was aimed at. Focus without scrolling instead.
  container.addEventListener("mousedown", function (event) {
    event.preventDefault();
    container.focus({ preventScroll: true });
  }, true);
  // A double click on a node focuses the view on it. The browser's own dblclick, not
  // vis-network's "doubleClick": vis-network times the two clicks when its handlers run,
  // so on a page that is busy between them (its first click reruns the app) it saw two
  // single clicks; the browser times them when they happen.
  container.addEventListener("dblclick", function (event) {
    if (!network || event.target.tagName !== "CANVAS") { return; }  // not its buttons
    var box = container.getBoundingClientRect();
    var id = network.getNodeAt({ x: event.clientX - box.left, y: event.clientY - box.top });
    if (id !== undefined) {
      clicks += 1;
      setValue({ node: id, action: "focus", n: clicks, view: shownKey });
    }
  });
  window.addEventListener("resize", placeLabelsSoon);
  // the text under the graph wraps differently once the frame has its final width
  var lastHeight = 0;
  new ResizeObserver(function () {
    var h = Math.ceil(document.body.getBoundingClientRect().height);
    if (h !== lastHeight) { lastHeight = h; fitHeight(); }
  }).observe(document.body);
  send("streamlit:componentReady", { apiVersion: 1 });
})();
