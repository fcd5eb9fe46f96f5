// The dashboard's page: one HTML document with the HTML report's stylesheet and a script that
// draws the run from /events as inline SVG, in the report's chart layout. Nothing loads from
// elsewhere, so it works offline.
#include "loadgen/dashboard.hpp"
#include "wsbench/report/html.hpp"
#include "wsbench/report/write.hpp"

namespace wsb::loadgen {
namespace {

// What the dashboard adds to the report's stylesheet.
constexpr const char* kStyle = R"js(
table.summary td { min-width: 160px; }
#capacity-steps tr.pass td:last-child { color: #1b5e20; }
#capacity-steps tr.fail td:last-child { color: #b71c1c; font-weight: 600; }
.state { display: inline-block; padding: 1px 8px; border-radius: 3px; background: #e0e0e0; }
body[data-state="running"] .state { background: #a5d6a7; }
body[data-state="done"] .state { background: #90caf9; }
)js";

// The body: fields and chart holders with stable ids (docs/loadgen.md, "Live dashboard").
constexpr const char* kBody = R"js(
<p class="note"><span class="state" id="state">connecting</span> <span id="status">Waiting for
the run's events.</span> Latencies are corrected (from the intended send time), per second.</p>
<section id="result" hidden>
<h2>Result</h2>
<table class="summary">
<tr><th>Messages sent</th><td id="final-sent"></td></tr>
<tr><th>Messages received</th><td id="final-received"></td></tr>
<tr><th>Connections</th><td id="final-connections"></td></tr>
<tr><th>Connections failed</th><td id="final-failed"></td></tr>
<tr><th>Errors</th><td id="final-errors"></td></tr>
<tr><th>Throughput</th><td id="final-throughput"></td></tr>
<tr><th>Latency p50</th><td id="final-p50"></td></tr>
<tr><th>Latency p99</th><td id="final-p99"></td></tr>
<tr><th>Window</th><td id="final-duration"></td></tr>
<tr><th>Capacity</th><td id="final-capacity"></td></tr>
</table>
<p><a id="report-link" href="/report.html">The HTML report</a> of the run, self-contained
(save it to keep it).</p>
</section>
<h2>Now</h2>
<table class="summary">
<tr><th>Elapsed</th><td id="now-elapsed"></td></tr>
<tr><th>Connections open</th><td id="now-connections"></td></tr>
<tr><th>Sent per second</th><td id="now-sent-rate"></td></tr>
<tr><th>Received per second</th><td id="now-received-rate"></td></tr>
<tr><th>Errors in the last second</th><td id="now-errors-rate"></td></tr>
<tr><th>Latency p50 (last second)</th><td id="now-p50"></td></tr>
<tr><th>Latency p99 (last second)</th><td id="now-p99"></td></tr>
<tr><th>Messages sent so far</th><td id="total-sent"></td></tr>
<tr><th>Messages received so far</th><td id="total-received"></td></tr>
<tr><th>Errors so far</th><td id="total-errors"></td></tr>
<tr><th>Connections opened / failed</th><td id="total-connections"></td></tr>
</table>
<section id="capacity" hidden>
<h2>Capacity search</h2>
<div class="live-chart" id="chart-knee" data-points="0"></div>
<table class="steps" id="capacity-steps"><tr><th>step</th><th>value</th><th>throughput</th>
<th>p50</th><th>p99</th><th>verdict</th></tr></table>
</section>
<h2>Over time</h2>
<div class="live-chart" id="chart-throughput" data-points="0"></div>
<div class="live-chart" id="chart-latency" data-points="0"></div>
<div class="live-chart" id="chart-connections" data-points="0"></div>
<div class="live-chart" id="chart-errors" data-points="0"></div>
<section id="steps" hidden>
<h2>Steps</h2>
<div class="live-chart" id="chart-steps" data-points="0"></div>
</section>
)js";

// The charts are html_chart.cpp's line_chart() in JavaScript: the same geometry, axes,
// classes and colours, so the dashboard and the report look alike.
constexpr const char* kChartScript = R"js(
var COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000',
               '#F0E442'];
var W = 1080, H = 330, L = 80, R = 40, T = 56, B = 50, PW = W - L - R, PH = H - T - B;
function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
  });
}
function g(v) { return String(+Number(v).toPrecision(6)); }
function usText(us) {
  if (us >= 1e6) return g(us / 1e6) + ' s';
  if (us >= 1e3) return g(us / 1e3) + ' ms';
  return g(us) + ' us';
}
function countText(v) {
  if (v >= 1e6) return g(v / 1e6) + 'M';
  if (v >= 1e3) return g(v / 1e3) + 'k';
  return g(v);
}
function niceStep(span, wanted) {
  var raw = span / Math.max(1, wanted), m = Math.pow(10, Math.floor(Math.log10(raw)));
  var steps = [1, 2, 5, 10];
  for (var i = 0; i < steps.length; i++) if (raw <= steps[i] * m) return steps[i] * m;
  return 10 * m;
}
function linearAxis(max, label, text) {
  var a = {min: 0, log: false, label: label, ticks: []};
  if (!(max > 0)) max = 1;
  var step = niceStep(max, 5);
  a.max = Math.ceil(max / step) * step;
  for (var v = 0; v <= a.max + step / 2; v += step) a.ticks.push([v, text(v)]);
  return a;
}
function logAxis(min, max, label, text) {
  var a = {log: true, label: label, ticks: []};
  min = Math.max(min, 1);
  max = Math.max(max, min * 10);
  a.min = Math.pow(10, Math.floor(Math.log10(min)));
  a.max = Math.pow(10, Math.ceil(Math.log10(max)));
  var sparse = Math.log10(a.max / a.min) > 4;
  for (var d = a.min; d < a.max * 1.5; d *= 10) {
    a.ticks.push([d, text(d)]);
    if (!sparse && d < a.max) { a.ticks.push([d * 2, text(d * 2)]); a.ticks.push([d * 5, text(d * 5)]); }
  }
  return a;
}
function frac(a, v) {
  if (!a.log) return (v - a.min) / (a.max - a.min);
  var lo = Math.log10(a.min), hi = Math.log10(a.max);
  return (Math.log10(Math.max(v, a.min)) - lo) / (hi - lo);
}
function f1(v) { return v.toFixed(1); }
function clamp(v, lo, hi) { return Math.min(Math.max(v, lo), hi); }
function lineChart(title, x, y, series) {
  var px = function (v) { return clamp(L + frac(x, v) * PW, L, L + PW); };
  var py = function (v) { return clamp(T + (1 - frac(y, v)) * PH, T, T + PH); };
  var s = '<svg class="chart" viewBox="0 0 ' + W + ' ' + H + '" width="' + W + '" height="' + H +
          '" role="img"><title>' + esc(title) + '</title><text x="' + L +
          '" y="20" class="title">' + esc(title) + '</text>';
  y.ticks.forEach(function (t) {
    if (t[0] < y.min || t[0] > y.max * 1.0001) return;
    var yy = T + (1 - frac(y, t[0])) * PH;
    s += '<line x1="' + L + '" y1="' + f1(yy) + '" x2="' + (L + PW) + '" y2="' + f1(yy) +
         '" class="grid"/><text x="' + (L - 6) + '" y="' + f1(yy + 4) +
         '" class="tick" text-anchor="end">' + esc(t[1]) + '</text>';
  });
  x.ticks.forEach(function (t) {
    if (t[0] < x.min || t[0] > x.max * 1.0001) return;
    var xx = L + frac(x, t[0]) * PW;
    s += '<line x1="' + f1(xx) + '" y1="' + T + '" x2="' + f1(xx) + '" y2="' + (T + PH) +
         '" class="grid"/><text x="' + f1(xx) + '" y="' + (T + PH + 16) +
         '" class="tick" text-anchor="middle">' + esc(t[1]) + '</text>';
  });
  s += '<rect x="' + L + '" y="' + T + '" width="' + PW + '" height="' + PH + '" class="frame"/>';
  s += '<text x="' + (L + PW / 2) + '" y="' + (H - 10) + '" class="label" text-anchor="middle">' +
       esc(x.label) + '</text><text transform="translate(16 ' + (T + PH / 2) +
       ') rotate(-90)" class="label" text-anchor="middle">' + esc(y.label) + '</text>';
  var lx = L, ly = 40;
  series.forEach(function (se) {
    var dash = se.dashed ? ' stroke-dasharray="6 4"' : '';
    if (se.points.length) {
      var pts = se.points.map(function (p) { return f1(px(p[0])) + ',' + f1(py(p[1])); });
      s += '<polyline fill="none" stroke="' + se.colour + '" stroke-width="2"' + dash +
           ' points="' + pts.join(' ') + '" data-series="' + esc(se.name) + '" data-count="' +
           se.points.length + '"><title>' + esc(se.name) + '</title></polyline>';
      if (se.points.length == 1) {
        s += '<circle cx="' + f1(px(se.points[0][0])) + '" cy="' + f1(py(se.points[0][1])) +
             '" r="3" fill="' + se.colour + '"/>';
      }
    }
    var width = 44 + 7 * se.name.length;
    if (lx + width > L + PW && lx > L) { lx = L; ly += 14; }
    s += '<line x1="' + lx + '" y1="' + (ly - 4) + '" x2="' + (lx + 28) + '" y2="' + (ly - 4) +
         '" stroke="' + se.colour + '" stroke-width="2"' + dash + '/><text x="' + (lx + 34) +
         '" y="' + ly + '" class="legend">' + esc(se.name) + '</text>';
    lx += width;
  });
  return s + '</svg>';
}
)js";

// The events: `hello` starts (or, on a reconnect, restarts) the picture, `second` adds a point
// to each chart, `step` a search's step, `end` the result and the report's link.
constexpr const char* kEventScript = R"js(
var run = null, drawPending = false;
function $(id) { return document.getElementById(id); }
function field(id, value, text) {
  var e = $(id);
  e.setAttribute('data-value', String(value));
  e.textContent = text === undefined ? String(value) : text;
}
function us(v) { return v > 0 ? usText(v) : '-'; }
function draw(id, title, yLabel, log, metrics, text, xs) {
  var series = [], xMax = 1, yMin = 1e300, yMax = 0, points = 0;
  metrics.forEach(function (m, i) {
    var s = {name: m.name, colour: m.colour || COLOURS[0], dashed: m.dashed || false, points: []};
    if (m.fixed) {  // a marker across the plot: drawn, but no part of the axes' range
      s.points = m.fixed;
      series.push(s);
      return;
    }
    xs.forEach(function (d) {
      var v = m.value(d);
      if (v === undefined || (log && v <= 0)) return;
      s.points.push([m.x ? m.x(d) : d.t, v]);
      xMax = Math.max(xMax, m.x ? m.x(d) : d.t);
      yMin = Math.min(yMin, v);
      yMax = Math.max(yMax, v);
    });
    points = Math.max(points, s.points.length);
    series.push(s);
  });
  var x = linearAxis(xMax, xs.xLabel || 'seconds since the dashboard started', g);
  var y = log ? logAxis(yMin > yMax ? 1 : yMin, yMax, yLabel, text) : linearAxis(yMax, yLabel, text);
  var holder = $(id);
  holder.innerHTML = lineChart(title, x, y, series);
  holder.setAttribute('data-points', String(points));
}
function drawAll() {
  drawPending = false;
  var xs = run.seconds;
  draw('chart-throughput', 'Throughput (messages per second): received solid, sent dashed',
       'messages/s', false,
       [{name: 'received', value: function (d) { return d.received; }},
        {name: 'sent', dashed: true, value: function (d) { return d.sent; }}], countText, xs);
  draw('chart-latency', 'Latency p99 (solid) and p50 (dashed) per second (log scale)', 'latency',
       true, [{name: 'p99', value: function (d) { return d.p99_us; }},
              {name: 'p50', dashed: true, value: function (d) { return d.p50_us; }}], usText, xs);
  draw('chart-connections', 'Open connections', 'connections', false,
       [{name: 'open', value: function (d) { return d.connections; }}], countText, xs);
  draw('chart-errors', 'Errors per second', 'errors', false,
       [{name: 'errors', value: function (d) { return d.errors; }}], countText, xs);
  if (run.hello.steps.length) {
    draw('chart-steps', 'Each step\'s p99 per second (log scale)', 'latency', true,
         run.hello.steps.map(function (name, i) {
           return {name: name, colour: COLOURS[i % COLOURS.length],
                   value: function (d) { return d.steps[i] ? d.steps[i][1] : undefined; }};
         }), usText, xs);
  }
  if (run.hello.search) drawKnee();
}
function drawKnee() {
  var steps = run.steps.slice().sort(function (a, b) { return a.value - b.value; });
  steps.xLabel = run.hello.search == 'rate' ? 'offered rate (messages/s)' : 'connections';
  var metrics =
      [{name: 'p99', x: function (d) { return d.value; }, value: function (d) { return d.p99_us; }},
       {name: 'p50', dashed: true, x: function (d) { return d.value; },
        value: function (d) { return d.p50_us; }}];
  if (run.end && run.end.capacity !== null) {
    var c = run.end.capacity;
    metrics.push({name: 'capacity ' + valueText(c), colour: '#555', dashed: true,
                  fixed: [[c, 1e-3], [c, 1e15]]});
  }
  draw('chart-knee', 'Latency against offered load: p99 (solid), p50 (dashed), log scale',
       'latency', true, metrics, usText, steps);
}
function valueText(v) {
  return run.hello.search == 'rate' ? g(v) + '/s' : g(v);
}
function later() {
  if (!drawPending) { drawPending = true; setTimeout(drawAll, 30); }
}
function onHello(h) {
  run = {hello: h, seconds: [], steps: [], end: null};
  document.title = h.title;
  $('title').textContent = h.title;
  $('status').textContent = h.scenario + ' against ' + h.url + '.';
  $('state').textContent = 'running';
  document.body.setAttribute('data-state', 'running');
  $('steps').hidden = h.steps.length == 0;
  $('capacity').hidden = !h.search;
  $('result').hidden = true;
  var table = $('capacity-steps');
  while (table.rows.length > 1) table.deleteRow(1);
  later();
}
function onSecond(d) {
  run.seconds.push(d);
  field('now-elapsed', d.t, g(d.t) + ' s');
  field('now-connections', d.connections);
  field('now-sent-rate', d.sent, countText(d.sent) + '/s');
  field('now-received-rate', d.received, countText(d.received) + '/s');
  field('now-errors-rate', d.errors);
  field('now-p50', d.p50_us, us(d.p50_us));
  field('now-p99', d.p99_us, us(d.p99_us));
  field('total-sent', d.total.sent);
  field('total-received', d.total.received);
  field('total-errors', d.total.errors);
  field('total-connections', d.total.opened, d.total.opened + ' / ' + d.total.failed);
  later();
}
function onStep(s) {
  run.steps.push(s);
  var row = $('capacity-steps').insertRow(-1);
  row.className = s.verdict;
  row.setAttribute('data-step', String(s.n));
  row.setAttribute('data-value', String(s.value));
  row.setAttribute('data-verdict', s.verdict);
  [String(s.n), valueText(s.value), countText(s.throughput) + '/s', us(s.p50_us), us(s.p99_us),
   s.verdict].forEach(function (text) { row.insertCell(-1).textContent = text; });
  later();
}
function onEnd(e) {
  run.end = e;
  field('final-sent', e.sent);
  field('final-received', e.received);
  field('final-connections', e.connections);
  field('final-failed', e.failed);
  field('final-errors', e.errors);
  field('final-throughput', e.throughput, countText(e.throughput) + '/s');
  field('final-p50', e.p50_us, us(e.p50_us));
  field('final-p99', e.p99_us, us(e.p99_us));
  field('final-duration', e.duration_s, g(e.duration_s) + ' s');
  field('final-capacity', e.capacity === null ? '' : e.capacity,
        e.capacity === null ? (run.hello.search ? 'not found' : '-') : valueText(e.capacity));
  $('report-link').setAttribute('href', e.report);
  $('result').hidden = false;
  $('state').textContent = e.interrupted ? 'interrupted' : 'done';
  $('status').textContent = 'The run is over; its report is written.';
  document.body.setAttribute('data-state', 'done');
  drawAll();
}
var source = new EventSource('/events');
function on(name, f) {
  source.addEventListener(name, function (m) { f(JSON.parse(m.data)); });
}
on('hello', onHello);
on('second', onSecond);
on('step', onStep);
on('end', function (e) { source.close(); onEnd(e); });
source.onerror = function () {
  if (document.body.getAttribute('data-state') != 'done') {
    $('status').textContent = 'Lost the connection to the loadgen; retrying.';
  }
};
)js";

}  // namespace

std::string dashboard_page(const std::string& title) {
    const std::string t = escape_markup(title);
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>" +
        t + "</title>\n<style>" + report::html_style() + kStyle +
        "</style>\n</head>\n<body data-state=\"connecting\">\n<h1 id=\"title\">" + t + "</h1>\n";
    page += kBody;
    page += "<script>\n'use strict';\n";
    page += kChartScript;
    page += kEventScript;
    page += "</script>\n</body>\n</html>\n";
    return page;
}

}  // namespace wsb::loadgen
