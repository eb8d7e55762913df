// The home page's registry chart: horizontal bars (long region names stay readable on a phone),
// only the ECharts parts it needs (loaded on demand, like radar.js).
import * as echarts from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

// items: [{ name, active }]; onClick(index). `large` (长辈模式): 18 px black labels.
export function bars(el, items, onClick, { large = false } = {}) {
  const chart = echarts.init(el, null, { renderer: 'canvas' })
  const size = large ? 18 : 13
  el.dataset.labelSize = String(size)
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'item', formatter: (p) => `${p.name}：${p.value} 人` },
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: size, color: large ? '#000' : '#333' } },
    yAxis: {
      type: 'category', inverse: true, data: items.map((i) => i.name),
      axisLabel: { fontSize: size, color: large ? '#000' : '#333', width: large ? 150 : 130, overflow: 'truncate' },
    },
    series: [{
      type: 'bar', data: items.map((i) => i.active), barMaxWidth: 28, cursor: 'pointer',
      itemStyle: { color: '#1f5fbf' },
      label: { show: true, position: 'right', fontSize: size, color: large ? '#000' : '#333' },
    }],
  })
  chart.on('click', (p) => onClick(p.dataIndex))
  return chart
}

// Several series side by side per category (the bed compliance page compares townships).
// categories: names; series: [{ name, data: [numbers], color }].
export function groupedBars(el, categories, series, { large = false } = {}) {
  const chart = echarts.init(el, null, { renderer: 'canvas' })
  const size = large ? 18 : 13
  const color = large ? '#000' : '#333'
  el.dataset.labelSize = String(size)
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { fontSize: size, color } },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: size, color } },
    yAxis: { type: 'category', inverse: true, data: categories,
      axisLabel: { fontSize: size, color, width: large ? 150 : 130, overflow: 'truncate' } },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, barMaxWidth: 18, itemStyle: { color: s.color },
      label: { show: true, position: 'right', fontSize: size, color } })),
  })
  return chart
}
