// A mosquitto broker for one test: loopback, a free port, its own temporary directory with its
// config, password file, ACL file and persistence (issue 14). anlao rewrites the password and
// ACL files (ANLAO_MQTT_PASSWD_FILE / _ACL_FILE) and signals the broker through the pid file
// (ANLAO_MQTT_PID_FILE); brokerEnv() gives those variables for a test server.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { BIN, freePort } from './server.mjs'

const MOSQUITTO = process.env.MOSQUITTO || '/usr/sbin/mosquitto'

export class Broker {
  constructor(opts = {}) {
    this.dir = opts.dir || mkdtempSync(join(tmpdir(), 'anlao-mqtt-'))
    this.ownDir = !opts.dir
    this.conf = join(this.dir, 'mosquitto.conf')
    this.passwd = join(this.dir, 'passwd')
    this.acl = join(this.dir, 'acl')
    this.pidFile = join(this.dir, 'mosquitto.pid')
    this.log = ''
    this.user = 'anlao'
    this.password = opts.password || 'anlao-test-' + Math.random().toString(36).slice(2)
  }

  async start() {
    if (!this.port) {
      this.port = await freePort()
      // Empty files until anlao writes them: nobody may connect yet.
      writeFileSync(this.passwd, '', { mode: 0o600 })
      writeFileSync(this.acl, '', { mode: 0o600 })
    }
    writeFileSync(this.conf, [
      `listener ${this.port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${this.passwd}`,
      `acl_file ${this.acl}`,
      'persistence true',
      `persistence_location ${this.dir}/`,
      'autosave_interval 1',
      'max_queued_messages 100000',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      // Running as root: stay root, so the reloaded 0600 files stay readable.
      ...(process.getuid && process.getuid() === 0 ? ['user root'] : []),
      '',
    ].join('\n'))
    this.proc = spawn(MOSQUITTO, ['-c', this.conf], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.proc.stdout.on('data', (d) => { this.log += d })
    this.proc.stderr.on('data', (d) => { this.log += d })
    this.exited = new Promise((ok) => this.proc.on('exit', (code, signal) => ok({ code, signal })))
    writeFileSync(this.pidFile, String(this.proc.pid) + '\n')
    const deadline = Date.now() + 10000
    while (!(await canConnect(this.port))) {
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error('mosquitto did not start:\n' + this.log)
      }
      await new Promise((r) => setTimeout(r, 30))
    }
    return this
  }

  // The environment a test server needs to use this broker.
  env() {
    return {
      ANLAO_MQTT_HOST: '127.0.0.1',
      ANLAO_MQTT_PORT: String(this.port),
      ANLAO_MQTT_USER: this.user,
      ANLAO_MQTT_PASSWORD: this.password,
      ANLAO_MQTT_PASSWD_FILE: this.passwd,
      ANLAO_MQTT_ACL_FILE: this.acl,
      ANLAO_MQTT_PID_FILE: this.pidFile,
    }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return this.exited
    this.proc.kill('SIGTERM')
    return this.exited
  }

  async restart() {
    await this.stop()
    return this.start()
  }

  cleanup() {
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true })
  }
}

function canConnect(port) {
  return new Promise((ok) => {
    const s = connect(port, '127.0.0.1')
    s.on('connect', () => { s.destroy(); ok(true) })
    s.on('error', () => ok(false))
  })
}

// Run `anlao devsim` against `broker` with these options: {code, out (the summary), stderr}.
export function devsim(broker, args, { bin } = {}) {
  return new Promise((ok) => {
    const p = spawn(bin || BIN, ['devsim', '--port', String(broker.port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''; let err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { err += d })
    p.on('exit', (code) => {
      let summary = null
      try { summary = JSON.parse(out.trim().split('\n').pop()) } catch { /* none */ }
      ok({ code, out: summary, stderr: err })
    })
  })
}

// Register a device of `type` for elder `elderId` through `client` and have it send one alarm;
// resolves the alarm (as GET /api/v1/alarms lists it) and the device.
export async function raiseAlarm(broker, client, elderId, serial, type = 'sos') {
  const d = await client.post('/api/v1/devices', { elder_id: elderId, type, model: 'AL-100', serial, heartbeat_s: 300 })
  if (d.status !== 201) throw new Error('device: ' + JSON.stringify(d.body))
  const r = await devsim(broker, ['--serial', serial, '--password', d.body.mqtt.password, '--type', type, '--seq-start', '1', '--timeout-s', '20'])
  if (r.code !== 0) throw new Error('devsim: ' + r.stderr + JSON.stringify(r.out))
  const list = await client.get(`/api/v1/alarms?device_id=${d.body.id}`)
  return { alarm: list.body.items[0], device: d.body }
}
