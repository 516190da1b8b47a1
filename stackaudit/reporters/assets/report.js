/* stackaudit report: the interactive graph, the findings list and the sortable tables.
 *
 * Our own code, no libraries. Everything drawn comes from the JSON in #graph-data and is written with
 * textContent / setAttribute only, never parsed as markup: names come from SaaS tenants and may be hostile.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var RANK = { "": 0, info: 1, low: 2, medium: 3, high: 4, critical: 5 };
  var MANY = 60; // above this many systems, labels appear by tiers as the reader zooms in
  var LABELS_ALWAYS = 12;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAll(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    setAll(node, attrs);
    return node;
  }

  function setAll(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, String(attrs[name]));
    });
  }

  function append(node, children) {
    if (children === null || children === undefined) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    });
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : (many || one + "s"));
  }

  function capitalise(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  }

  /* -- the data ------------------------------------------------------------------------------------ */

  // The page's data leaves out empty values (a 2,000-system report stays small); fill them back in.
  var DEFAULTS = {
    nodes: { group: -1, data: [], findings: [], integrations: [], more_integrations: 0, open: {}, worst: "",
      owner: "", risk: 0, accounts: 0, admins: 0, mfa: "", mfa_share: 0, address: "", vendor: "", tenant: false,
      internal: false, sanctioned: false, category: "other" },
    flows: { name: "", kind: "", data: [], url: "", scheme: "", active: false, sign_in: false, findings: [] },
    findings: { title: "", category: "", remediation: "", waived: false, waiver: "", systems: [], subjects: [],
      edges: [], paths: [], evidence: [], more_evidence: 0, details: [] },
  };
  var PATHS_LISTED = 10;

  function anchorOf(id) {
    return "f-" + id.replace(/[^A-Za-z0-9-]/g, "-");
  }

  function normalise(data) {
    Object.keys(DEFAULTS).forEach(function (kind) {
      var defaults = DEFAULTS[kind];
      (data[kind] || []).forEach(function (item) {
        Object.keys(defaults).forEach(function (key) {
          if (!(key in item)) item[key] = defaults[key];
        });
      });
    });
    var checks = data.checks || {};
    (data.findings || []).forEach(function (f) {
      var check = checks[f.check] || {};
      var owner = data.owners[f.o] || { label: "Unassigned", email: "" };
      f.anchor = anchorOf(f.id);
      f.rank = RANK[f.severity] - 1;
      f.title = f.title || check.title || f.check;
      f.category = f.category || check.category || "";
      f.category_label = data.categories[f.category] || f.category;
      f.owner = owner.label;
      f.owner_email = owner.email;
      f.system_labels = f.systems.map(function (i) { return data.nodes[i].full; });
      f.system = f.system_labels.length ? f.system_labels[0] : "";
      f.about = "";
      for (var k = 0; k < f.subjects.length; k += 1) {
        if (f.subjects[k] !== f.system) { f.about = f.subjects[k]; break; }
      }
      f.path_labels = f.paths.slice(0, PATHS_LISTED).map(function (path) {
        return path.map(function (i) { return data.nodes[i].full; });
      });
      f.more_paths = Math.max(0, f.paths.length - PATHS_LISTED);
    });
    return data;
  }

  /* -- the graph ------------------------------------------------------------------------------------ */

  function Graph(data, canvas, panel) {
    this.data = data;
    this.canvas = canvas;
    this.panel = panel;
    this.view = { x: 0, y: 0, k: 1 };
    this.expanded = {};
    this.filters = { data: "", category: "", severity: "", status: "" };
    this.selection = null;
    this.highlighted = null;
    this.dataNames = {};
    this.categoryNames = {};
    var self = this;
    data.filters.data.forEach(function (p) { self.dataNames[p[0]] = p[1]; });
    data.filters.category.forEach(function (p) { self.categoryNames[p[0]] = p[1]; });
    this.incident = data.nodes.map(function () { return []; });
    data.edges.forEach(function (e, i) {
      self.incident[e.s].push(i);
      self.incident[e.t].push(i);
    });
    this.build();
  }

  Graph.prototype.build = function () {
    var self = this;
    var data = this.data;
    var defs = svg("defs");
    [["arrow", "arrowhead"], ["arrow-high", "arrowhead sev-high"], ["arrow-on", "arrowhead sev-high"]].forEach(
      function (m) {
        var marker = svg("marker", { id: m[0], viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
          markerHeight: 7, orient: "auto-start-reverse", markerUnits: "userSpaceOnUse" });
        marker.appendChild(svg("path", { d: "M0,1 L10,5 L0,9 z", "class": m[1] }));
        defs.appendChild(marker);
      });
    this.canvas.appendChild(defs);
    this.viewport = svg("g", { "class": "viewport" });
    this.edgeLayer = svg("g", { "class": "edges" });
    this.nodeLayer = svg("g", { "class": "nodes" });
    this.viewport.appendChild(this.edgeLayer);
    this.viewport.appendChild(this.nodeLayer);
    this.canvas.appendChild(this.viewport);
    var few = data.nodes.length <= MANY;
    // Which labels show when zoomed out: all in a small stack; in a large one the riskiest systems always,
    // scanned systems and those with high findings from moderate zoom, the rest only when zoomed in.
    var always = {};
    data.nodes.map(function (_n, i) { return i; })
      .sort(function (a, b) { return data.nodes[b].risk - data.nodes[a].risk; })
      .slice(0, LABELS_ALWAYS).forEach(function (i) { always[i] = true; });

    this.edgeEls = data.edges.map(function (e, i) {
      var cls = "edge";
      if (e.data.indexOf("pii") >= 0) cls += " pii";
      if (RANK[e.worst] >= RANK.high) cls += " sev-high";
      if (!e.active) cls += " inactive";
      if (e.sign_in) cls += " sign-in";
      var line = svg("path", { "class": cls, "marker-end": RANK[e.worst] >= RANK.high ? "url(#arrow-high)" : "url(#arrow)" });
      var hit = svg("path", { "class": "edge-hit", "data-edge": i });
      var title = svg("title");
      title.textContent = data.nodes[e.s].label + " → " + data.nodes[e.t].label + ": " + (e.sign_in
        ? "signs users in (single sign-on)"
        : (e.data.map(function (d) { return self.dataNames[d] || d; }).join(", ") || "data") +
          " (" + plural(e.flows.length, "flow") + ")");
      hit.appendChild(title);
      self.edgeLayer.appendChild(line);
      self.edgeLayer.appendChild(hit);
      return { line: line, hit: hit };
    });

    this.nodeEls = data.nodes.map(function (n, i) {
      var g = svg("g", { "class": "node" + (n.tenant ? " tenant" : ""), "data-node": i });
      g.appendChild(svg("circle", { "class": "node-fill status-" + n.status, r: n.r }));
      if (RANK[n.worst] >= RANK.high) g.appendChild(svg("circle", { "class": "risk-ring sev-" + n.worst, r: n.r + 3 }));
      var tier = few || always[i] ? "" : n.tenant || RANK[n.worst] >= RANK.high ? " major" : " minor";
      var label = svg("text", { "class": "node-label" + tier, y: n.r + 2, dy: "1em", "text-anchor": "middle" });
      label.textContent = n.label;
      g.appendChild(label);
      var title = svg("title");
      title.textContent = n.full;
      g.appendChild(title);
      self.nodeLayer.appendChild(g);
      return g;
    });

    this.groupEls = data.groups.map(function (grp, i) {
      var size = 14 + Math.sqrt(grp.members.length) * 2;
      grp.r = size;
      var g = svg("g", { "class": "node group", "data-group": i });
      g.appendChild(svg("rect", { "class": "group-box status-" + grp.status, x: -size, y: -size * 0.75,
        width: 2 * size, height: 1.5 * size, rx: 6 }));
      if (RANK[grp.worst] >= RANK.high) {
        g.appendChild(svg("rect", { "class": "risk-ring sev-" + grp.worst, x: -size - 3, y: -size * 0.75 - 3,
          width: 2 * size + 6, height: 1.5 * size + 6, rx: 8 }));
      }
      var count = svg("text", { "class": "group-count", "text-anchor": "middle", y: 4 });
      count.textContent = String(grp.members.length);
      g.appendChild(count);
      var label = svg("text", { "class": "node-label" + (few ? "" : " major"), y: size * 0.75 + 2, dy: "1em",
        "text-anchor": "middle" });
      label.textContent = grp.label;
      g.appendChild(label);
      self.nodeLayer.appendChild(g);
      return g;
    });

    this.place();
    this.bind();
  };

  Graph.prototype.collapsed = function (i) {
    var g = this.data.nodes[i].group;
    return g >= 0 && !this.expanded[g];
  };

  Graph.prototype.pos = function (i) {
    var n = this.data.nodes[i];
    if (this.collapsed(i)) {
      var grp = this.data.groups[n.group];
      return { x: grp.x, y: grp.y, r: grp.r };
    }
    return { x: n.x, y: n.y, r: n.r };
  };

  Graph.prototype.place = function () {
    var self = this;
    var data = this.data;
    data.nodes.forEach(function (n, i) {
      var g = self.nodeEls[i];
      g.setAttribute("transform", "translate(" + n.x + "," + n.y + ")");
      g.classList.toggle("hidden", self.collapsed(i));
    });
    data.groups.forEach(function (grp, i) {
      self.groupEls[i].setAttribute("transform", "translate(" + grp.x + "," + grp.y + ")");
      self.groupEls[i].classList.toggle("hidden", !!self.expanded[i]);
    });
    data.edges.forEach(function (e, i) {
      var a = self.pos(e.s);
      var b = self.pos(e.t);
      var dx = b.x - a.x;
      var dy = b.y - a.y;
      var len = Math.sqrt(dx * dx + dy * dy);
      var els = self.edgeEls[i];
      if (len < 1) {
        els.line.classList.add("hidden");
        els.hit.classList.add("hidden");
        return;
      }
      els.line.classList.remove("hidden");
      els.hit.classList.remove("hidden");
      var ux = dx / len;
      var uy = dy / len;
      var d;
      if (e.both) {
        // Two-way traffic: each direction bends to its own side.
        var bend = Math.min(40, len * 0.18);
        var cx = (a.x + b.x) / 2 - uy * bend;
        var cy = (a.y + b.y) / 2 + ux * bend;
        var sx = cx - a.x, sy = cy - a.y, sl = Math.sqrt(sx * sx + sy * sy) || 1;
        var tx = b.x - cx, ty = b.y - cy, tl = Math.sqrt(tx * tx + ty * ty) || 1;
        d = "M" + (a.x + sx / sl * (a.r + 2)).toFixed(1) + "," + (a.y + sy / sl * (a.r + 2)).toFixed(1) +
          " Q" + cx.toFixed(1) + "," + cy.toFixed(1) + " " +
          (b.x - tx / tl * (b.r + 4)).toFixed(1) + "," + (b.y - ty / tl * (b.r + 4)).toFixed(1);
      } else {
        d = "M" + (a.x + ux * (a.r + 2)).toFixed(1) + "," + (a.y + uy * (a.r + 2)).toFixed(1) +
          " L" + (b.x - ux * (b.r + 4)).toFixed(1) + "," + (b.y - uy * (b.r + 4)).toFixed(1);
      }
      els.line.setAttribute("d", d);
      els.hit.setAttribute("d", d);
    });
    this.applyFilters();
  };

  /* pan and zoom */

  Graph.prototype.transform = function () {
    var v = this.view;
    this.viewport.setAttribute("transform", "translate(" + v.x.toFixed(1) + "," + v.y.toFixed(1) + ") scale(" +
      v.k.toFixed(4) + ")");
    this.canvas.classList.toggle("show-major-labels", v.k >= 0.55);
    this.canvas.classList.toggle("show-all-labels", v.k >= 1.4);
    // Labels keep the same size on screen at any zoom (the tiers above keep them from piling up).
    this.nodeLayer.style.fontSize = (12 / v.k).toFixed(2) + "px";
    var self = this;
    if (this.data.nodes.length <= MANY) {
      clearTimeout(this.labelTimer);
      this.labelTimer = setTimeout(function () { self.placeLabels(); }, 60);
    }
  };

  // In a small graph, move each label (riskiest systems first) below, above, right or left of its system,
  // wherever it overlaps neither an earlier label nor another system.
  Graph.prototype.placeLabels = function () {
    var self = this;
    var data = this.data;
    var size = 12 / this.view.k; // the labels' font size in drawing units
    var placed = [];
    var order = data.nodes.map(function (_n, i) { return i; }).filter(function (i) { return !self.collapsed(i); })
      .sort(function (a, b) {
        var na = data.nodes[a], nb = data.nodes[b];
        return (nb.tenant - na.tenant) || (nb.risk - na.risk) || (a - b);
      });
    function hits(box) {
      for (var j = 0; j < placed.length; j += 1) {
        var p = placed[j];
        if (box.x1 < p.x2 && box.x2 > p.x1 && box.y1 < p.y2 && box.y2 > p.y1) return true;
      }
      for (var k = 0; k < data.nodes.length; k += 1) {
        var m = data.nodes[k];
        if (self.collapsed(k)) continue;
        if (box.x1 < m.x + m.r && box.x2 > m.x - m.r && box.y1 < m.y + m.r && box.y2 > m.y - m.r) return true;
      }
      return false;
    }
    order.forEach(function (i) {
      var n = data.nodes[i];
      var label = self.nodeEls[i].querySelector(".node-label");
      if (!label) return;
      var width = label.getComputedTextLength();
      var height = size * 1.2;
      var gap = 3;
      var spots = [
        { x: 0, y: n.r + gap, dy: "1em", anchor: "middle", box: [-width / 2, n.r + gap, width / 2, n.r + gap + height] },
        { x: 0, y: -n.r - gap, dy: "-0.3em", anchor: "middle",
          box: [-width / 2, -n.r - gap - height, width / 2, -n.r - gap] },
        { x: n.r + gap, y: 0, dy: "0.35em", anchor: "start", box: [n.r + gap, -height / 2, n.r + gap + width, height / 2] },
        { x: -n.r - gap, y: 0, dy: "0.35em", anchor: "end", box: [-n.r - gap - width, -height / 2, -n.r - gap, height / 2] },
      ];
      var chosen = spots[0];
      for (var s = 0; s < spots.length; s += 1) {
        var b = spots[s].box;
        var box = { x1: n.x + b[0], y1: n.y + b[1], x2: n.x + b[2], y2: n.y + b[3] };
        if (!hits(box)) { chosen = spots[s]; break; }
      }
      var c = chosen.box;
      placed.push({ x1: n.x + c[0], y1: n.y + c[1], x2: n.x + c[2], y2: n.y + c[3] });
      label.setAttribute("x", chosen.x);
      label.setAttribute("y", chosen.y);
      label.setAttribute("dy", chosen.dy);
      label.setAttribute("text-anchor", chosen.anchor);
    });
  };

  Graph.prototype.zoomAt = function (factor, px, py) {
    var v = this.view;
    var k = Math.max(0.03, Math.min(6, v.k * factor));
    v.x = px - (px - v.x) * (k / v.k);
    v.y = py - (py - v.y) * (k / v.k);
    v.k = k;
    this.transform();
  };

  Graph.prototype.size = function () {
    var box = this.canvas.getBoundingClientRect();
    return { w: box.width || 800, h: box.height || 600 };
  };

  Graph.prototype.fit = function (indices) {
    var self = this;
    var nodes = (indices || this.data.nodes.map(function (_n, i) { return i; }))
      .filter(function (i) { return !self.collapsed(i); });
    var points = nodes.map(function (i) { return self.pos(i); });
    this.data.groups.forEach(function (g, gi) {
      if (!indices && !self.expanded[gi]) points.push({ x: g.x, y: g.y, r: g.r, half: 0 });
    });
    if (!points.length) return;
    // Half of each label's width on screen (labels keep their size on screen whatever the zoom).
    var few = this.data.nodes.length <= MANY;
    nodes.forEach(function (i, j) {
      var label = few ? self.nodeEls[i].querySelector(".node-label") : null;
      points[j].half = label ? label.getComputedTextLength() * self.view.k / 2 : 20;
    });
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    points.forEach(function (p) {
      minX = Math.min(minX, p.x - p.r); maxX = Math.max(maxX, p.x + p.r);
      minY = Math.min(minY, p.y - p.r); maxY = Math.max(maxY, p.y + p.r + 18);
    });
    var s = this.size();
    var right = 56; // the zoom buttons
    var width = s.w - right - 24;
    var k = Math.min(width / Math.max(1, maxX - minX), (s.h - 60) / Math.max(1, maxY - minY));
    var left = 0, over = 0;
    for (var round = 0; round < 4; round += 1) {
      // How far the outermost labels reach beyond the outermost systems at this zoom.
      left = 0; over = 0;
      points.forEach(function (p) {
        left = Math.max(left, p.half - k * (p.x - minX));
        over = Math.max(over, p.half - k * (maxX - p.x));
      });
      k = Math.min(k, (width - left - over) / Math.max(1, maxX - minX));
    }
    k = Math.max(0.03, Math.min(indices ? 2 : 1.6, k));
    var used = k * (maxX - minX) + left + over;
    this.view = { k: k, x: 12 + (width - used) / 2 + left - k * minX, y: s.h / 2 - k * (minY + maxY) / 2 };
    this.transform();
  };

  Graph.prototype.bind = function () {
    var self = this;
    var canvas = this.canvas;
    var drag = null;
    canvas.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, vx: self.view.x, vy: self.view.y, moved: false, id: ev.pointerId };
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x;
      var dy = ev.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 4) {
        drag.moved = true;
        canvas.classList.add("dragging");
        canvas.setPointerCapture(drag.id);
      }
      if (drag.moved) {
        self.view.x = drag.vx + dx;
        self.view.y = drag.vy + dy;
        self.transform();
      }
    });
    function end(ev) {
      if (!drag) return;
      var moved = drag.moved;
      if (moved && canvas.hasPointerCapture(drag.id)) canvas.releasePointerCapture(drag.id);
      drag = null;
      canvas.classList.remove("dragging");
      if (!moved && ev.type === "pointerup") self.clickAt(ev.target);
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var box = canvas.getBoundingClientRect();
      self.zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - box.left, ev.clientY - box.top);
    }, { passive: false });
    function zoomButton(id, factor) {
      var button = document.getElementById(id);
      if (!button) return;
      button.addEventListener("click", function () {
        var s = self.size();
        self.zoomAt(factor, s.w / 2, s.h / 2);
      });
    }
    zoomButton("zoom-in", 1.3);
    zoomButton("zoom-out", 1 / 1.3);
    var fit = document.getElementById("zoom-fit");
    if (fit) fit.addEventListener("click", function () { self.fit(); });
    ["data", "category", "severity", "status"].forEach(function (name) {
      var select = document.getElementById("filter-" + name);
      if (!select) return;
      select.addEventListener("change", function () {
        self.filters[name] = select.value;
        self.applyFilters();
      });
    });
    var reset = document.getElementById("filter-reset");
    if (reset) {
      reset.addEventListener("click", function () {
        ["data", "category", "severity", "status"].forEach(function (name) {
          var select = document.getElementById("filter-" + name);
          if (select) select.value = "";
          self.filters[name] = "";
        });
        self.highlighted = null;
        self.applyFilters();
        self.fit();
      });
    }
    this.panel.addEventListener("click", function (ev) {
      var target = ev.target.closest("[data-action]");
      if (!target) return;
      if (target.tagName === "A") ev.preventDefault();
      var index = parseInt(target.getAttribute("data-index"), 10);
      var action = target.getAttribute("data-action");
      if (action === "node") self.selectNode(index, true);
      else if (action === "edge") self.selectEdge(index);
      else if (action === "finding") self.highlightFinding(index, false);
      else if (action === "expand") self.toggleGroup(index, true);
      else if (action === "collapse") self.toggleGroup(index, false);
      else if (action === "clear") { self.highlighted = null; self.select(null); }
    });
  };

  Graph.prototype.clickAt = function (target) {
    var node = target.closest ? target.closest("[data-node]") : null;
    var group = target.closest ? target.closest("[data-group]") : null;
    var edge = target.closest ? target.closest("[data-edge]") : null;
    if (node) this.selectNode(parseInt(node.getAttribute("data-node"), 10), false);
    else if (group) this.selectGroup(parseInt(group.getAttribute("data-group"), 10));
    else if (edge) this.selectEdge(parseInt(edge.getAttribute("data-edge"), 10));
    else { this.highlighted = null; this.select(null); }
  };

  /* filters and highlighting */

  Graph.prototype.nodeMatches = function (i) {
    var n = this.data.nodes[i];
    var f = this.filters;
    if (f.category && n.category !== f.category) return false;
    if (f.status && n.status !== f.status) return false;
    if (f.severity && RANK[n.worst] < RANK[f.severity]) return false;
    if (f.data && n.data.indexOf(f.data) < 0) {
      var self = this;
      var carried = this.incident[i].some(function (e) { return self.data.edges[e].data.indexOf(f.data) >= 0; });
      if (!carried) return false;
    }
    return true;
  };

  Graph.prototype.applyFilters = function () {
    var self = this;
    var data = this.data;
    var f = this.filters;
    var filtering = !!(f.data || f.category || f.severity || f.status);
    var hl = this.highlighted;
    var matches = data.nodes.map(function (_n, i) { return self.nodeMatches(i); });
    var shown = 0;
    data.nodes.forEach(function (_n, i) {
      var on = hl ? !!hl.nodes[i] : matches[i];
      self.nodeEls[i].classList.toggle("dim", !on);
      self.nodeEls[i].classList.toggle("highlight", !!(hl && hl.nodes[i]));
      if (matches[i]) shown += 1;
    });
    data.groups.forEach(function (grp, gi) {
      var on = grp.members.some(function (m) { return hl ? !!hl.nodes[m] : matches[m]; });
      self.groupEls[gi].classList.toggle("dim", !on);
      self.groupEls[gi].classList.toggle("highlight", !!(hl && grp.members.some(function (m) { return hl.nodes[m]; })));
    });
    data.edges.forEach(function (e, i) {
      var on;
      if (hl) on = !!hl.edges[i];
      else on = (!f.data || e.data.indexOf(f.data) >= 0) && (matches[e.s] || matches[e.t]) &&
        (!filtering || matches[e.s] || matches[e.t]);
      var els = self.edgeEls[i];
      els.line.classList.toggle("dim", !on);
      els.line.classList.toggle("highlight", !!(hl && hl.edges[i]));
      els.line.setAttribute("marker-end", hl && hl.edges[i] ? "url(#arrow-on)"
        : (RANK[e.worst] >= RANK.high ? "url(#arrow-high)" : "url(#arrow)"));
    });
    var counter = document.getElementById("graph-count");
    if (counter) {
      var inactive = data.flows.filter(function (f) { return !f.active; }).length;
      var signIns = data.flows.filter(function (f) { return f.active && f.sign_in; }).length;
      var extra = [];
      if (signIns) extra.push(plural(signIns, "single sign-on link"));
      if (inactive) extra.push(inactive + " inactive");
      counter.textContent = filtering ? "Showing " + shown + " of " + plural(data.nodes.length, "system")
        : plural(data.nodes.length, "system") + ", " + plural(data.flows.length - inactive - signIns, "data flow") +
          (extra.length ? " (and " + extra.join(", ") + ", dotted)" : "");
    }
    this.canvas.setAttribute("data-matching", String(shown));
  };

  Graph.prototype.select = function (selection) {
    var self = this;
    if (this.selection) {
      var old = this.selection;
      var oldEl = old.type === "node" ? this.nodeEls[old.index] : old.type === "group" ? this.groupEls[old.index]
        : this.edgeEls[old.index].line;
      oldEl.classList.remove("selected");
    }
    this.selection = selection;
    if (selection) {
      var elNow = selection.type === "node" ? this.nodeEls[selection.index]
        : selection.type === "group" ? this.groupEls[selection.index] : this.edgeEls[selection.index].line;
      elNow.classList.add("selected");
    }
    this.applyFilters();
    if (!selection && !this.highlighted) this.intro();
    self.canvas.setAttribute("data-selected", selection ? selection.type + ":" + selection.index : "");
  };

  Graph.prototype.intro = function () {
    var data = this.data;
    clear(this.panel);
    append(this.panel, el("p", { "class": "hint" }, "Select a system or an arrow to see its details and findings."));
    var ranked = data.nodes.map(function (_n, i) { return i; })
      .filter(function (i) { return data.nodes[i].risk > 0; })
      .sort(function (a, b) { return data.nodes[b].risk - data.nodes[a].risk; }).slice(0, 6);
    if (!ranked.length) return;
    var list = el("ul", { "class": "panel-top" });
    ranked.forEach(function (i) {
      var n = data.nodes[i];
      list.appendChild(el("li", null, [
        el("a", { href: "#graph", "data-action": "node", "data-index": i }, n.label),
        el("span", { "class": "muted" }, " · " + plural(n.findings.length, "finding")),
      ]));
    });
    append(this.panel, [el("h4", null, "Most open findings"), list]);
  };

  Graph.prototype.ensureVisible = function (i) {
    var g = this.data.nodes[i].group;
    if (g >= 0 && !this.expanded[g]) {
      this.expanded[g] = true;
      this.place();
    }
  };

  Graph.prototype.toggleGroup = function (gi, open) {
    this.expanded[gi] = open;
    this.place();
    if (open) this.selectGroup(gi);
  };

  Graph.prototype.findingList = function (indices) {
    var self = this;
    var data = this.data;
    if (!indices.length) return el("p", { "class": "muted" }, "No findings.");
    var list = el("ul", { "class": "panel-findings" });
    indices.forEach(function (fi) {
      var f = data.findings[fi];
      var link = el("a", { href: "#" + f.anchor }, f.title);
      var item = el("li", { "data-finding-item": fi }, [
        el("span", { "class": "badge sev-" + f.severity }, capitalise(f.severity)), " ", link,
        f.waived ? el("span", { "class": "waiver waived" }, "Waived") : null,
        el("p", null, f.message),
        f.paths.length || f.systems.length > 1
          ? el("button", { type: "button", "data-action": "finding", "data-index": fi },
            f.paths.length ? "Show the path" : "Show on the graph") : null,
      ]);
      list.appendChild(item);
    });
    return list;
  };

  Graph.prototype.neighbours = function (i) {
    var self = this;
    var out = [];
    var into = [];
    this.incident[i].forEach(function (ei) {
      var e = self.data.edges[ei];
      if (e.s === i) out.push(ei); else into.push(ei);
    });
    function links(edges, other) {
      var list = el("ul");
      edges.slice(0, 30).forEach(function (ei) {
        var e = self.data.edges[ei];
        var data = e.data.map(function (d) { return self.dataNames[d] || d; }).join(", ");
        list.appendChild(el("li", null, [
          el("a", { href: "#graph", "data-action": "edge", "data-index": ei }, self.data.nodes[e[other]].label),
          data ? " (" + data + ")" : "",
        ]));
      });
      if (edges.length > 30) list.appendChild(el("li", { "class": "muted" }, "and " + (edges.length - 30) + " more"));
      return list;
    }
    return [
      out.length ? el("h4", null, "Sends data to") : null, out.length ? links(out, "t") : null,
      into.length ? el("h4", null, "Receives data from") : null, into.length ? links(into, "s") : null,
    ];
  };

  Graph.prototype.selectNode = function (i, centre) {
    var self = this;
    var n = this.data.nodes[i];
    this.highlighted = null;
    this.ensureVisible(i);
    this.select({ type: "node", index: i });
    if (centre) this.centreOn(n.x, n.y);
    clear(this.panel);
    var facts = el("dl");
    function fact(name, value) {
      if (value === "" || value === null || value === undefined) return;
      append(facts, [el("dt", null, name), el("dd", null, value)]);
    }
    fact("Vendor", n.vendor || "unknown");
    fact("Kind", this.categoryNames[n.category] || n.category);
    fact("Owner", n.owner || "nobody");
    fact("Address", n.address);
    fact(n.tenant ? "Data held" : "Data received",
      n.data.map(function (d) { return self.dataNames[d] || d; }).join(", ") || "none reported");
    if (n.accounts) fact("Users / admins", n.accounts + " / " + n.admins);
    if (n.mfa) fact("MFA (people)", n.mfa);
    if (n.integrations.length) {
      fact("Apps and integrations", n.integrations.join(", ") + (n.more_integrations ? " and " +
        n.more_integrations + " more" : ""));
    }
    append(this.panel, [
      el("h3", null, n.full),
      el("span", { "class": "status status-" + n.status }, n.status === "shadow" ? "Shadow IT" : capitalise(n.status)),
      n.tenant ? el("span", { "class": "muted" }, " · scanned") : null,
      facts,
      el("h4", null, "Findings (" + n.findings.length + ")"),
      this.findingList(n.findings),
    ]);
    append(this.panel, this.neighbours(i));
  };

  Graph.prototype.selectGroup = function (gi) {
    var self = this;
    var grp = this.data.groups[gi];
    this.highlighted = null;
    this.select({ type: "group", index: gi });
    clear(this.panel);
    var members = el("ul");
    grp.members.forEach(function (m) {
      var n = self.data.nodes[m];
      members.appendChild(el("li", null, [
        el("a", { href: "#graph", "data-action": "node", "data-index": m }, n.label),
        n.findings.length ? el("span", { "class": "muted" }, " · " + plural(n.findings.length, "finding")) : null,
      ]));
    });
    append(this.panel, [
      el("h3", null, grp.label),
      el("p", { "class": "muted" }, "Services only " + this.data.nodes[grp.parent].label +
        " talks to, grouped to keep the graph readable."),
      el("button", { type: "button", "data-action": this.expanded[gi] ? "collapse" : "expand", "data-index": gi },
        this.expanded[gi] ? "Collapse the group" : "Expand the group"),
      members,
    ]);
  };

  Graph.prototype.selectEdge = function (ei) {
    var self = this;
    var e = this.data.edges[ei];
    this.highlighted = null;
    this.select({ type: "edge", index: ei });
    clear(this.panel);
    var flows = el("ul");
    e.flows.forEach(function (fi) {
      var f = self.data.flows[fi];
      var data = f.data.map(function (d) { return self.dataNames[d] || d; }).join(", ") || "unspecified data";
      flows.appendChild(el("li", null, [
        el("strong", null, f.name || f.kind || "flow"), f.kind ? " (" + f.kind.replace(/_/g, " ") + ")" : "",
        el("br"), f.sign_in ? "signs users in: identity, not a data feed" : data,
        f.url ? el("br") : null, f.url ? el("span", { "class": "mono" }, f.url) : null,
        f.scheme === "http" ? el("span", { "class": "badge sev-high" }, "plain http") : null,
        f.active ? null : el("span", { "class": "muted" }, " · inactive"),
      ]));
    });
    var from = this.data.nodes[e.s];
    var to = this.data.nodes[e.t];
    append(this.panel, [
      el("h3", null, from.label + " → " + to.label),
      el("p", { "class": "muted" }, plural(e.flows.length, "data flow") + " in this direction"),
      el("p", null, [
        el("button", { type: "button", "data-action": "node", "data-index": e.s }, from.label),
        el("button", { type: "button", "data-action": "node", "data-index": e.t }, to.label),
      ]),
      flows,
      el("h4", null, "Findings (" + e.findings.length + ")"),
      this.findingList(e.findings),
    ]);
  };

  Graph.prototype.centreOn = function (x, y) {
    var s = this.size();
    this.view.x = s.w / 2 - x * this.view.k;
    this.view.y = s.h / 2 - y * this.view.k;
    this.transform();
  };

  Graph.prototype.highlightFinding = function (fi, scroll) {
    var self = this;
    var f = this.data.findings[fi];
    var nodes = {};
    var edges = {};
    var ordered = [];
    if (f.paths.length) {
      f.paths.forEach(function (path) {
        path.forEach(function (n) { nodes[n] = true; });
        ordered.push(path);
      });
    }
    f.systems.forEach(function (n) { nodes[n] = true; });
    f.edges.forEach(function (e) { edges[e] = true; });
    Object.keys(nodes).forEach(function (n) {
      var g = self.data.nodes[+n].group;
      if (g >= 0) self.expanded[g] = true;
    });
    this.place();
    this.select(null);
    this.highlighted = { nodes: nodes, edges: edges, finding: fi };
    this.applyFilters();
    this.canvas.setAttribute("data-highlight", f.anchor);
    clear(this.panel);
    var paths = el("ol");
    ordered.slice(0, 8).forEach(function (path) {
      paths.appendChild(el("li", null, path.map(function (n) { return self.data.nodes[n].label; }).join(" → ")));
    });
    append(this.panel, [
      el("span", { "class": "badge sev-" + f.severity }, capitalise(f.severity)),
      el("h3", null, f.title),
      el("p", null, f.message),
      ordered.length ? el("h4", null, "Data paths") : null,
      ordered.length ? paths : null,
      el("p", null, ["Owner: ", el("strong", null, f.owner)]),
      el("p", null, [el("a", { href: "#" + f.anchor }, "Evidence and what to do"), " · ",
        el("button", { type: "button", "data-action": "clear" }, "Clear the highlight")]),
    ]);
    this.fit(Object.keys(nodes).map(Number));
    if (scroll) document.getElementById("graph").scrollIntoView({ block: "start" });
  };

  /* -- findings list ------------------------------------------------------------------------------ */

  var PAGE = 200; // findings and scorecard rows drawn at a time; a large stack has thousands

  function Findings(root, data, graph) {
    var self = this;
    this.data = data;
    this.graph = graph;
    this.list = document.getElementById("findings-list");
    this.search = document.getElementById("findings-search");
    this.severity = document.getElementById("findings-severity");
    this.category = document.getElementById("findings-category");
    this.sort = document.getElementById("findings-sort");
    this.waived = document.getElementById("findings-waived");
    this.count = document.getElementById("findings-count");
    this.expand = document.getElementById("findings-expand");
    this.limit = PAGE;
    this.byAnchor = {};
    data.findings.forEach(function (f, i) {
      self.byAnchor[f.anchor] = i;
      f.search = [f.title, f.message, f.system, f.about, f.owner, f.owner_email, f.check].join(" ").toLowerCase();
    });
    [this.search, this.severity, this.category, this.waived, this.sort].forEach(function (control) {
      if (!control) return;
      control.addEventListener(control === self.search ? "input" : "change", function () {
        self.limit = PAGE;
        self.render();
      });
    });
    if (this.expand) {
      this.expand.addEventListener("click", function () {
        var open = self.expand.getAttribute("data-open") !== "1";
        Array.prototype.forEach.call(self.list.querySelectorAll("details.finding"), function (item) {
          if (open) self.fill(item);
          item.open = open;
        });
        self.expand.setAttribute("data-open", open ? "1" : "0");
        self.expand.textContent = open ? "Collapse all" : "Expand all";
      });
    }
    this.list.addEventListener("toggle", function (ev) {
      if (ev.target.open) self.fill(ev.target);
    }, true);
    this.list.addEventListener("click", function (ev) {
      var button = ev.target.closest("button");
      if (!button) return;
      if (button.classList.contains("show-on-graph") && self.graph) {
        self.graph.highlightFinding(parseInt(button.getAttribute("data-finding"), 10), true);
      } else if (button.classList.contains("show-more")) {
        self.limit += PAGE;
        self.render();
      }
    });
    this.render();
  }

  Findings.prototype.matches = function () {
    var text = this.search ? this.search.value.trim().toLowerCase() : "";
    var least = this.severity && this.severity.value !== "" ? parseInt(this.severity.value, 10) : -1;
    var category = this.category ? this.category.value : "";
    var showWaived = this.waived ? this.waived.checked : true;
    return function (f) {
      return f.rank >= least && (!category || f.category === category) && (showWaived || !f.waived) &&
        (!text || f.search.indexOf(text) >= 0);
    };
  };

  Findings.prototype.comparator = function () {
    var by = this.sort ? this.sort.value : "severity";
    var findings = this.data.findings;
    function key(i) {
      var f = findings[i];
      if (by === "system") return [f.system.toLowerCase(), -f.rank, i];
      if (by === "category") return [f.category_label, -f.rank, i];
      if (by === "title") return [f.title.toLowerCase(), -f.rank, i];
      return [-f.rank, i];
    }
    return function (a, b) {
      var ka = key(a), kb = key(b);
      for (var i = 0; i < ka.length; i += 1) {
        if (ka[i] < kb[i]) return -1;
        if (ka[i] > kb[i]) return 1;
      }
      return 0;
    };
  };

  Findings.prototype.render = function () {
    var self = this;
    var findings = this.data.findings;
    var ok = this.matches();
    var compare = this.comparator();
    var total = 0;
    var drawn = 0;
    var fragment = document.createDocumentFragment();
    this.data.owners.forEach(function (owner) {
      var mine = owner.findings.filter(function (i) { return ok(findings[i]); }).sort(compare);
      total += mine.length;
      if (!mine.length || drawn >= self.limit) return;
      var open = owner.findings.filter(function (i) { return !findings[i].waived; }).length;
      var list = el("div", { "class": "finding-list" });
      mine.slice(0, self.limit - drawn).forEach(function (i) {
        list.appendChild(self.item(i));
        drawn += 1;
      });
      fragment.appendChild(el("section", { "class": "owner-group" }, [
        el("h3", null, [
          owner.label,
          owner.email && owner.email !== owner.label ? el("span", { "class": "muted" }, " " + owner.email) : null,
          " ", el("span", { "class": "count" }, plural(open, "open finding")),
        ]),
        list,
      ]));
    });
    if (total > drawn) {
      fragment.appendChild(el("p", { "class": "more" }, el("button", { type: "button", "class": "show-more" },
        "Show " + Math.min(PAGE, total - drawn) + " more (" + (total - drawn) + " not shown)")));
    }
    clear(this.list);
    this.list.appendChild(fragment);
    if (this.count) {
      this.count.textContent = "Showing " + total + " of " + plural(findings.length, "finding") +
        (drawn < total ? " (the first " + drawn + " listed)" : "");
    }
    this.list.setAttribute("data-matching", String(total));
  };

  Findings.prototype.item = function (i) {
    var f = this.data.findings[i];
    return el("details", {
      "class": "finding sev-" + f.severity + (f.waived ? " is-waived" : ""), id: f.anchor, "data-index": i,
    }, el("summary", null, [
      el("span", { "class": "badge sev-" + f.severity }, capitalise(f.severity)),
      el("span", { "class": "f-title" }, [f.title, f.about ? el("span", { "class": "f-about" }, f.about) : null]),
      el("span", { "class": "f-system" }, f.system),
      el("span", { "class": "f-category" }, f.category_label),
      f.waived ? el("span", { "class": "waiver waived" }, "Waived") : null,
    ]));
  };

  // A finding's body is built the first time it is opened.
  Findings.prototype.fill = function (item) {
    if (!item.classList.contains("finding") || item.getAttribute("data-filled")) return;
    item.setAttribute("data-filled", "1");
    var i = parseInt(item.getAttribute("data-index"), 10);
    var f = this.data.findings[i];
    var check = this.data.checks[f.check] || {};
    var facts = el("dl");
    function fact(name, value) {
      if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
      append(facts, [el("dt", null, name), el("dd", null, value)]);
    }
    function list(items, more, cls) {
      var ul = el("ul", cls ? { "class": cls } : null);
      items.forEach(function (x) { ul.appendChild(el("li", null, x)); });
      if (more) ul.appendChild(el("li", { "class": "muted" }, "and " + more + " more"));
      return ul;
    }
    fact("Systems", f.system_labels.join(", "));
    if (f.subjects.length) fact("About", list(f.subjects));
    if (f.path_labels.length) {
      fact("Data paths", list(f.path_labels.map(function (p) { return p.join(" → "); }), f.more_paths));
    }
    if (f.details.length) {
      var table = el("table", { "class": "facts" });
      f.details.forEach(function (d) {
        table.appendChild(el("tr", null, [el("th", { scope: "row" }, d[0]), el("td", null, d[1])]));
      });
      fact("Facts", table);
    }
    if (f.evidence.length) {
      fact("Evidence", list(f.evidence.map(function (e) {
        return el("span", null, [el("span", { "class": "mono" }, e[0]), " · " + e[1],
          e[2] ? " · " : "", e[2] ? el("span", { "class": "mono" }, e[2]) : null]);
      }), f.more_evidence, "evidence"));
    }
    fact("What to do", f.remediation || check.remediation || "");
    fact("Why it matters", check.rationale || "");
    if (f.waived) fact("Waiver", [el("span", { "class": "waiver waived" }, "Waived"), " " + f.waiver]);
    else if (f.waiver) fact("Waiver", [el("span", { "class": "waiver expired" }, "Waiver expired"), " " + f.waiver]);
    else fact("Waiver", "Not waived");
    fact("Check", [el("span", { "class": "mono" }, f.check), " · fingerprint ", el("span", { "class": "mono" }, f.id)]);
    var body = el("div", { "class": "finding-body" }, [el("p", { "class": "message" }, f.message), facts]);
    if (this.graph && (f.systems.length || f.paths.length)) {
      body.appendChild(el("button", { type: "button", "class": "show-on-graph", "data-finding": i },
        f.paths.length ? "Show the path on the graph" : "Show on the graph"));
    }
    item.appendChild(body);
  };

  // Open a finding by its anchor, listing everything first when filters or paging hide it.
  Findings.prototype.open = function (anchor) {
    if (!(anchor in this.byAnchor)) return null;
    var item = document.getElementById(anchor);
    if (!item) {
      if (this.search) this.search.value = "";
      if (this.severity) this.severity.value = "";
      if (this.category) this.category.value = "";
      if (this.waived) this.waived.checked = true;
      this.limit = this.data.findings.length;
      this.render();
      item = document.getElementById(anchor);
    }
    this.fill(item);
    item.open = true;
    return item;
  };

  Findings.prototype.showAll = function () {
    if (this.limit >= this.data.findings.length) return;
    this.limit = this.data.findings.length;
    this.render();
  };

  /* -- systems scorecard ---------------------------------------------------------------------------- */

  var STATUS_WORDS = { sanctioned: "Sanctioned", shadow: "Shadow IT", unowned: "Unowned" };
  var ORDER = ["critical", "high", "medium", "low", "info"];

  function Scorecard(table, data) {
    var self = this;
    this.table = table;
    this.data = data;
    this.limit = PAGE;
    this.names = {};
    data.filters.data.forEach(function (p) { self.names[p[0]] = p[1]; });
    this.rows = data.nodes.map(function (n, i) {
      return { i: i, keys: [n.full.toLowerCase(), n.status, (n.owner || "~").toLowerCase(),
        n.data.join(","), n.accounts, n.mfa_share, n.risk * 10 + (RANK[n.worst] || 0)] };
    });
    this.more = el("p", { "class": "more" });
    table.parentNode.parentNode.insertBefore(this.more, table.parentNode.nextSibling);
    this.more.addEventListener("click", function (ev) {
      if (ev.target.closest("button")) {
        self.limit = self.rows.length;
        self.render();
      }
    });
    var buttons = table.querySelectorAll("button.sort");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var col = parseInt(button.getAttribute("data-col"), 10);
        var descending = button.classList.contains("asc");
        Array.prototype.forEach.call(buttons, function (b) { b.classList.remove("asc", "desc"); });
        button.classList.add(descending ? "desc" : "asc");
        self.rows.sort(function (a, b) {
          var r = a.keys[col] < b.keys[col] ? -1 : a.keys[col] > b.keys[col] ? 1 : a.i - b.i;
          return descending ? -r : r;
        });
        self.render();
      });
    });
    this.render();
  }

  Scorecard.prototype.render = function () {
    var self = this;
    var body = this.table.tBodies[0];
    var fragment = document.createDocumentFragment();
    this.rows.slice(0, this.limit).forEach(function (row) { fragment.appendChild(self.row(self.data.nodes[row.i])); });
    clear(body);
    body.appendChild(fragment);
    clear(this.more);
    if (this.rows.length > this.limit) {
      append(this.more, [
        "Showing " + this.limit + " of " + plural(this.rows.length, "system") + " (sort to bring others up). ",
        el("button", { type: "button" }, "Show all " + this.rows.length),
      ]);
    }
  };

  Scorecard.prototype.row = function (n) {
    var names = this.names;
    var badges = ORDER.filter(function (s) { return n.open[s]; }).map(function (s) {
      return el("span", { "class": "badge sev-" + s }, n.open[s] + " " + s);
    });
    return el("tr", { "data-status": n.status }, [
      el("th", { scope: "row" }, [el("span", { "class": "sys-name" }, n.full),
        el("span", { "class": "muted sys-kind" }, n.kind + (n.tenant ? " · scanned" : ""))]),
      el("td", null, el("span", { "class": "status status-" + n.status }, STATUS_WORDS[n.status] || n.status)),
      el("td", null, n.owner || el("span", { "class": "muted" }, "nobody")),
      el("td", null, n.data.map(function (d) { return names[d] || d; }).join(", ") || "—"),
      el("td", { "class": "num" }, n.accounts ? n.accounts + " / " + n.admins : "—"),
      el("td", null, n.mfa || "—"),
      el("td", null, badges.length ? badges : el("span", { "class": "muted" }, "none")),
    ]);
  };

  /* -- start ---------------------------------------------------------------------------------------- */

  function start() {
    var timings = { start: performance.now() };
    var source = document.getElementById("graph-data");
    var data = normalise(source ? JSON.parse(source.textContent || "{}") : {});
    timings.parsed = performance.now();
    var canvas = document.getElementById("graph-canvas");
    var graph = null;
    if (canvas && data.nodes && data.nodes.length) {
      graph = new Graph(data, canvas, document.getElementById("graph-details"));
      if (data.nodes.length <= MANY && data.width > 0) {
        // A small graph gets a frame of its own proportions instead of a tall empty one.
        var wide = canvas.getBoundingClientRect().width || 800;
        var tall = Math.max(420, Math.min(660, wide * data.height / data.width + 90));
        canvas.style.height = tall.toFixed(0) + "px";
      }
      graph.fit();
      graph.intro();
      window.addEventListener("resize", function () { graph.fit(); });
    }
    timings.graph = performance.now();
    var table = document.getElementById("scorecard");
    if (table && data.nodes) new Scorecard(table, data);
    timings.scorecard = performance.now();
    var findingsRoot = document.getElementById("findings");
    var findings = null;
    if (findingsRoot && document.getElementById("findings-list") && data.findings) {
      findings = new Findings(findingsRoot, data, graph);
      Array.prototype.forEach.call(document.querySelectorAll("a.similar"), function (link) {
        link.addEventListener("click", function () {
          if (findings.search) {
            findings.search.value = link.getAttribute("data-check");
            findings.limit = PAGE;
            findings.render();
          }
        });
      });
    }
    // Anchors to a finding open it.
    function openTarget() {
      var id = window.location.hash.slice(1);
      var item = id && findings ? findings.open(id) : null;
      if (item) item.scrollIntoView();
    }
    window.addEventListener("hashchange", openTarget);
    document.addEventListener("click", function (ev) {
      var link = ev.target.closest ? ev.target.closest("a[href^='#f-']") : null;
      if (!link || !findings) return;
      var item = findings.open(link.getAttribute("href").slice(1));
      if (item) {
        ev.preventDefault();
        item.scrollIntoView();
      }
    });
    openTarget();
    // Print everything, not just what happens to be open.
    var reopened = [];
    window.addEventListener("beforeprint", function () {
      if (findings) findings.showAll();
      reopened = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
      reopened.forEach(function (d) {
        if (findings) findings.fill(d);
        d.open = true;
      });
      if (graph) graph.fit();
    });
    window.addEventListener("afterprint", function () {
      reopened.forEach(function (d) { d.open = false; });
      reopened = [];
    });
    timings.findings = performance.now();
    window.stackauditGraph = graph;
    window.stackauditTimings = timings;
    document.documentElement.setAttribute("data-ready", "1");
    // The first frame after everything is built: from then on the page answers clicks.
    requestAnimationFrame(function () {
      setTimeout(function () {
        timings.interactive = performance.now();
        document.documentElement.setAttribute("data-interactive", "1");
      }, 0);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
