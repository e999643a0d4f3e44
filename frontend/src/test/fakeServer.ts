// A fake MoneyGrow API for tests: routes "METHOD /path" to handlers, records every request.
export interface Recorded {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}

export type Handler = (req: Recorded) => Response | Promise<Response>;

export const BASE = "http://api.test";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function apiError(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  return json({ error: { code, message, details: {} } }, status, headers);
}

export function fakeServer(routes: Record<string, Handler | Handler[]>) {
  const calls: Recorded[] = [];
  const queues = new Map(Object.entries(routes).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "DELETE" ? "" : await request.text();
    const recorded: Recorded = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(recorded);
    const key = [...queues.keys()].find((k) => {
      const [method, pattern] = k.split(" ");
      const regex = new RegExp(`^${pattern!.replace(/:[a-z_]+/g, "[^/]+")}$`);
      return method === request.method && regex.test(url.pathname);
    });
    if (key === undefined) return apiError(404, "not_found", `no fake route for ${request.method} ${url.pathname}`);
    const entry = queues.get(key)!;
    if (Array.isArray(entry)) {
      const handler = entry.length > 1 ? entry.shift()! : entry[0]!;
      return handler(recorded);
    }
    return entry(recorded);
  };
  return { fetch: fetchImpl as typeof fetch, calls };
}
