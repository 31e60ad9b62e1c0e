// The firm's figures over the years on its portrait page: revenue and R&D as bars, staff as lines.
document.querySelectorAll("[data-chart-kind=firm]").forEach(function (el) {
  var d = JSON.parse(el.dataset.chart);
  echarts.init(el, null, { renderer: "svg" }).setOption({
    tooltip: { trigger: "axis" }, legend: { data: ["营业收入", "研发费用", "职工总数", "科技人员数"] },
    xAxis: { type: "category", data: d.years },
    yAxis: [{ type: "value", name: "万元" }, { type: "value", name: "人" }],
    series: [{ name: "营业收入", type: "bar", data: d.revenue }, { name: "研发费用", type: "bar", data: d.rd },
             { name: "职工总数", type: "line", yAxisIndex: 1, data: d.staff }, { name: "科技人员数", type: "line", yAxisIndex: 1, data: d.tech_staff }]
  });
});
