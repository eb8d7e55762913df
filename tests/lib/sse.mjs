// Reading a text/event-stream (server-sent events) in the tests, with node's fetch.

// Read `res.body` to its end: { events: [{event, data}], comments } where data is parsed JSON.
// `onEvent(ev)` may return false to stop reading early.
export async function readEvents(res, onEvent = () => {}) {
  const events = []
  let comments = 0
  let buf = ''
  const dec = new TextDecoder()
  for await (const chunk of res.body) {
    buf += dec.decode(chunk, { stream: true })
    let i
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i)
      buf = buf.slice(i + 2)
      if (block.startsWith(':')) { comments++; continue }
      const ev = { event: 'message', data: '' }
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) ev.event = line.slice(7)
        else if (line.startsWith('data: ')) ev.data += line.slice(6)
      }
      ev.data = JSON.parse(ev.data)
      events.push(ev)
      if (onEvent(ev) === false) return { events, comments }
    }
  }
  return { events, comments }
}
