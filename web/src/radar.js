// The one chart of the assessment pages, with only the ECharts parts it needs (loaded on demand).
import * as echarts from 'echarts/core'
import { RadarChart } from 'echarts/charts'
import { LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([RadarChart, LegendComponent, TooltipComponent, CanvasRenderer])

export function radar(el, indicators, series) {
  const chart = echarts.init(el, null, { renderer: 'canvas' })
  chart.setOption({
    animation: false,
    legend: { bottom: 0 },
    tooltip: {},
    radar: {
      indicator: indicators,
      radius: '58%',
      // Long domain names on two lines so none is cut at the edge.
      axisName: { color: '#333', formatter: (v) => (v.length > 4 ? `${v.slice(0, 3)}\n${v.slice(3)}` : v) },
    },
    series: [{ type: 'radar', data: series }],
  })
  return chart
}
