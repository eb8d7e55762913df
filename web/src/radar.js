// The one chart of the assessment pages, with only the ECharts parts it needs (loaded on demand).
import * as echarts from 'echarts/core'
import { RadarChart } from 'echarts/charts'
import { LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([RadarChart, LegendComponent, TooltipComponent, CanvasRenderer])

// `large` (长辈模式): labels and legend at 18 px in black, not ECharts' 12 px grey.
export function radar(el, indicators, series, { large = false } = {}) {
  const chart = echarts.init(el, null, { renderer: 'canvas' })
  const size = large ? 18 : 13
  el.dataset.labelSize = String(size) // what the browser tests read (the labels are drawn)
  chart.setOption({
    animation: false,
    legend: { bottom: 0, textStyle: { fontSize: size, color: large ? '#000' : '#333' } },
    tooltip: {},
    radar: {
      indicator: indicators,
      radius: large ? '46%' : '58%',
      // Long domain names on two lines (three characters a line when large) so none is cut at the edge.
      axisName: { color: large ? '#000' : '#333', fontSize: size, fontWeight: large ? 'bold' : 'normal', formatter: large ? (v) => (v.length > 4 ? v.match(/.{1,3}/g).join('\n') : v) : (v) => (v.length > 4 ? `${v.slice(0, 3)}\n${v.slice(3)}` : v) },
    },
    series: [{ type: 'radar', data: series }],
  })
  return chart
}
