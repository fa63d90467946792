// GraphQL over HTTP for the dashboard: one POST per query, subscriptions as Server-Sent Events (graphql-yoga's
// GET + text/event-stream, "next" events). Same origin as the page, so no configuration and no CORS.
const ENDPOINT = '/graphql'

/** Run a query; resolves to `data`, rejects with the first error's message. */
export async function query(text, variables = {}) {
  const res = await fetch(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: text, variables }),
  })
  const body = await res.json()
  if (body.errors?.length) throw new Error(body.errors[0].message)
  return body.data
}

/**
 * Subscribe to `text`; calls onData(data) per event and onState('live' | 'reconnecting'). EventSource
 * reconnects by itself after a network error; returns a function that closes the stream.
 */
export function subscribe(text, onData, onState = () => {}) {
  const es = new EventSource(`${ENDPOINT}?query=${encodeURIComponent(text)}`)
  es.addEventListener('next', (ev) => {
    try {
      const body = JSON.parse(ev.data)
      if (body.data) onData(body.data)
    } catch { /* a malformed event is skipped; the next refresh corrects the view */ }
  })
  es.onopen = () => onState('live')
  es.onerror = () => onState('reconnecting')
  return () => es.close()
}
