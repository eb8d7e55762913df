// Visit task generation runs as a job (RULE-VISIT-062, RULE-VISIT-082): start it and wait for it.
import assert from 'node:assert/strict'

// The job of a 202 answer `r`, followed to its end (done or failed).
export async function finished(client, r) {
  assert.equal(r.status, 202, JSON.stringify(r.body))
  for (let i = 0; i < 800; i++) {
    const j = (await client.get(`/api/v1/jobs/${r.body.job_id}`)).body
    if (j.status === 'done' || j.status === 'failed') return j
    await new Promise((done) => setTimeout(done, 25))
  }
  assert.fail(`job ${r.body.job_id} did not finish`)
}

// A job that must succeed: its result.
async function result(client, r) {
  const j = await finished(client, r)
  assert.equal(j.status, 'done', JSON.stringify(j))
  return j.result
}

export async function generate(client, region, date) {
  return result(client, await client.post('/api/v1/visit-tasks/generate', { ...(region ? { region } : {}), ...(date ? { date } : {}) }))
}

export async function generateCampaign(client, id) {
  return result(client, await client.post(`/api/v1/visit-campaigns/${id}/generate`, {}))
}
