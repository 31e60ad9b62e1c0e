// Gantt-like timeline of a plan's tasks: one bar from start to deadline, coloured by alert, filled by progress.
(function () {
  var colours = { green: "#198754", yellow: "#ffc107", red: "#dc3545" };
  var ROW_HEIGHT = 28;  // pixels per task: a 12px label with air above and below
  document.querySelectorAll("[data-chart-kind=gantt]").forEach(function (el) {
    var data = JSON.parse(el.dataset.chart);
    if (!data.names.length) { return; }
    // Every row gets room for its label (ECharts hides category labels that would overlap, and a short
    // chart left most tasks unnamed); set here because the page's policy forbids inline styles.
    el.style.height = Math.max(data.names.length * ROW_HEIGHT + 50, 240) + "px";
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { formatter: function (p) { return data.names[p.value[0]] + "<br>" + p.value[1] + " — " + p.value[2] + "（" + p.value[4] + "%）"; } },
      grid: { left: 260, right: 20, top: 10, bottom: 30 },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { interval: 0, width: 240, overflow: "truncate" } },
      series: [{
        type: "custom",
        renderItem: function (params, api) {
          var start = api.coord([api.value(1), api.value(0)]);
          var end = api.coord([api.value(2), api.value(0)]);
          var height = api.size([0, 1])[1] * 0.6;
          return { type: "rect", shape: { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 2), height: height },
                   style: { fill: colours[api.value(3)] || "#6c757d", opacity: 0.8 } };
        },
        encode: { x: [1, 2], y: 0 },
        data: data.bars
      }]
    });
  });
})();
