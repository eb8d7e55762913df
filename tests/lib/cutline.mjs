// A TCP line between the browser and a test server that a test can cut: `cut()` drops every
// open connection (a live stream included) and refuses new ones until `mend()`. Playwright's
// setOffline leaves a server-sent event stream that is already open untouched, so a test of
// what a page does when its stream drops goes through this line instead.
import net from 'node:net'

export async function cutLine(port) {
  const socks = new Set()
  let open = true
  const srv = net.createServer((c) => {
    if (!open) return c.destroy()
    const u = net.connect(port, '127.0.0.1')
    const end = () => { c.destroy(); u.destroy(); socks.delete(c); socks.delete(u) }
    for (const s of [c, u]) { socks.add(s); s.on('error', end); s.on('close', end) }
    c.pipe(u)
    u.pipe(c)
  })
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok))
  return {
    base: `http://127.0.0.1:${srv.address().port}`,
    cut() { open = false; for (const s of socks) s.destroy(); socks.clear() },
    mend() { open = true },
    close() { this.cut(); return new Promise((ok) => srv.close(ok)) },
  }
}
