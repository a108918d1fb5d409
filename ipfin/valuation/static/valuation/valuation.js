// Valuation page charts (ECharts, vendored): radar of the three dimensions and the contributions.
// Data comes from the json_script element "valuation-chart-data" (no inline scripts: CSP).
(function () {
  "use strict";
  var node = document.getElementById("valuation-chart-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  if (!data) { return; }
  var radarNode = document.getElementById("valuation-radar");
  if (radarNode) {
    echarts.init(radarNode).setOption({
      tooltip: {},
      radar: { indicator: data.dimensions.map(function (d) { return { name: d.name, max: 100 }; }) },
      series: [{ type: "radar", data: [{ value: data.dimensions.map(function (d) { return d.value; }), areaStyle: {} }] }]
    });
  }
  var barNode = document.getElementById("valuation-contributions");
  if (barNode) {
    var items = data.contributions.slice().reverse();
    echarts.init(barNode).setOption({
      grid: { left: 130, right: 20, top: 10, bottom: 20 },
      tooltip: {},
      xAxis: { type: "value" },
      yAxis: { type: "category", data: items.map(function (c) { return c.name; }) },
      series: [{ type: "bar", data: items.map(function (c) { return c.value; }) }]
    });
  }
}());
