import { assert, describe, it } from "@effect/vitest"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Tokens from "../src/internal/http/tokens.js"
import { isApiError } from "../src/internal/http/wire.js"

const options = EmulatorOptions.resolve({ tokenTtlSeconds: 60, badCredentialsStatus: 401 })
const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`
const tokenRequest = (authorization: string | undefined, body: string) => ({
  method: "POST",
  url: "/oauth/token",
  headers: authorization === undefined ? {} : { authorization },
  body
})
const bodyOf = (response: { readonly body: string | undefined }) => JSON.parse(response.body ?? "null")

describe("token store", () => {
  it("decodes Basic credentials (base64 or base64url, UTF-8) and refuses anything else", () => {
    assert.deepStrictEqual(Tokens.basicCredentials(basic("id", "s:e:c")), ["id", "s:e:c"])
    const utf8 = btoa(String.fromCharCode(...new TextEncoder().encode("ü:x")))
    assert.deepStrictEqual(Tokens.basicCredentials(`basic ${utf8}`), ["ü", "x"])
    assert.isUndefined(Tokens.basicCredentials(undefined))
    assert.isUndefined(Tokens.basicCredentials(`Bearer ${btoa("a:b")}`))
    assert.isUndefined(Tokens.basicCredentials(`Basic ${btoa("no-colon")}`))
    assert.isUndefined(Tokens.basicCredentials("Basic %%%"))
  })

  it("issues a token for the configured client with the client-credentials grant only", () => {
    const store = Tokens.make(options)
    const ok = store.endpoint(
      tokenRequest(basic(options.clientId, options.clientSecret), "grant_type=client_credentials"),
      0
    )
    assert.strictEqual(ok.status, 200)
    assert.deepInclude(bodyOf(ok), { token_type: "bearer", expires_in: 60 })
    assert.match(bodyOf(ok).access_token, /^[0-9a-f]{64}$/)
    const wrong = store.endpoint(tokenRequest(basic(options.clientId, "nope"), "grant_type=client_credentials"), 0)
    assert.strictEqual(wrong.status, 401)
    assert.strictEqual(bodyOf(wrong).error, "invalid_client")
    const noGrant = store.endpoint(tokenRequest(basic(options.clientId, options.clientSecret), ""), 0)
    assert.deepStrictEqual([noGrant.status, bodyOf(noGrant).error], [400, "invalid_request"])
    const password = store.endpoint(
      tokenRequest(basic(options.clientId, options.clientSecret), "grant_type=password"),
      0
    )
    assert.deepStrictEqual(bodyOf(password), {
      error: "unsupported_grant_type",
      description: "Unsupported grant type: password",
      error_description: "Unsupported grant type: password"
    })
  })

  it("issues the same tokens for the same seed", () => {
    const a = Tokens.make(options)
    const b = Tokens.make(options)
    assert.deepStrictEqual([a.issue(0), a.issue(0)], [b.issue(5), b.issue(5)])
    assert.notStrictEqual(a.issue(0), a.issue(0))
  })

  it("authenticates a bearer token until it expires", () => {
    const store = Tokens.make(options)
    const token = store.issue(1_000)
    const info = store.authenticate(`Bearer ${token}`, 60_999, false)
    assert.isFalse(isApiError(info))
    const expired = store.authenticate(`Bearer ${token}`, 61_000, false)
    assert.isTrue(isApiError(expired) && expired.code === "bad.credentials" && expired.status === 401)
    const missing = store.authenticate(undefined, 0, false)
    assert.isTrue(isApiError(missing) && missing.code === "authentication.required")
    const unknown = store.authenticate("Bearer nope", 0, false)
    assert.isTrue(isApiError(unknown) && unknown.code === "bad.credentials")
  })

  it("revokes one token under a revokeToken fault (that very request fails) or all of them", () => {
    const store = Tokens.make(options)
    const a = store.issue(0)
    const b = store.issue(0)
    assert.isTrue(isApiError(store.authenticate(`Bearer ${a}`, 1, true)))
    assert.isTrue(isApiError(store.authenticate(`Bearer ${a}`, 2, false)))
    assert.isFalse(isApiError(store.authenticate(`Bearer ${b}`, 2, false)))
    store.revokeAll()
    assert.isTrue(isApiError(store.authenticate(`Bearer ${b}`, 3, false)))
  })
})
