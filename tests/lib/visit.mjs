// Visit task generation runs as a job (RULE-VISIT-062): start it and wait for its result.
import assert from 'node:assert/strict'

export async function generate(client, region, date) {
  const r = await client.post('/api/v1/visit-tasks/generate', { ...(region ? { region } : {}), ...(date ? { date } : {}) })
  assert.equal(r.status, 202, JSON.stringify(r.body))
  for (let i = 0; i < 800; i++) {
    const j = (await client.get(`/api/v1/jobs/${r.body.job_id}`)).body
    if (j.status === 'done') return j.result
    assert.notEqual(j.status, 'failed', JSON.stringify(j))
    await new Promise((done) => setTimeout(done, 25))
  }
  assert.fail('visit generation job did not finish')
}
