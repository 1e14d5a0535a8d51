import { assert, describe, it } from "@effect/vitest"
import { Either, Option } from "effect"
import fc from "fast-check"
import * as Region from "../src/Region.js"

describe("Region", () => {
  it("has the 18 regions of the official SDKs with unique keys and domains", () => {
    assert.strictEqual(Region.regions.length, 18)
    assert.strictEqual(new Set(Region.regions.map((r) => r.key)).size, 18)
    assert.strictEqual(new Set(Region.regions.map((r) => r.domain)).size, 18)
  })

  it("finds a region by key, AWS name, domain, host or URL", () => {
    for (const input of [
      "us_east_1",
      "us-east-1",
      "US-EAST-1",
      "mypurecloud.com",
      "api.mypurecloud.com",
      "https://login.mypurecloud.com/"
    ]) {
      const region = Region.find(input)
      assert.isTrue(Option.isSome(region), input)
      assert.strictEqual(Option.getOrThrow(region).apiUrl, "https://api.mypurecloud.com")
      assert.strictEqual(Option.getOrThrow(region).loginUrl, "https://login.mypurecloud.com")
    }
    assert.strictEqual(Option.getOrThrow(Region.find("eu_central_1")).domain, "mypurecloud.de")
    assert.strictEqual(Option.getOrThrow(Region.find("edee1.eusc-pure.cloud")).key, "eusc_de_east_1")
  })

  it("every region round-trips through its key, name and domain", () =>
    fc.assert(
      fc.property(fc.constantFrom(...Region.regions), fc.constantFrom("key", "name", "domain"), (region, field) => {
        const found = Region.find(region[field as "key" | "name" | "domain"])
        return Option.isSome(found) && found.value.key === region.key
      })
    ))

  it("rejects an unknown region with ConfigInvalid naming the known keys", () => {
    const result = Region.parse("mars-north-1")
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.strictEqual(result.left._tag, "ConfigInvalid")
      assert.include(result.left.message, "us_east_1")
    }
  })
})
