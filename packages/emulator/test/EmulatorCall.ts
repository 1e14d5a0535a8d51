/** One request to an in-process emulator, as a test writes it: a bearer token, an optional JSON body. */
import { Effect } from "effect"
import type * as Emulator from "../src/Emulator.js"

/** The answer's status, headers and parsed JSON body (absent when the body is empty). */
export const call = (emu: Emulator.Service, method: string, url: string, token: string, json?: unknown) =>
  Effect.map(
    emu.handleRaw({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { "content-type": "application/json" })
      },
      body: json === undefined ? "" : JSON.stringify(json)
    }),
    (raw) => ({
      status: raw.status,
      headers: raw.headers,
      body: raw.body === undefined || raw.body === "" ? undefined : (JSON.parse(raw.body) as any)
    })
  )
