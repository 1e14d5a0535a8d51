// The org's own limit on concurrent detail jobs, from the limits API (FACTS §5.1: `GET
// /api/v2/organizations/limits/namespaces/{namespaceName}`, a `LimitsEntityListing` of `Limit {key, namespace, value}`).
// The value is what the platform allows, so an extraction can keep that many jobs running instead of guessing; the
// key's full name is not confirmed (FACTS §3.4: `…details.jobs.concurrent.access.max`), hence the suffix match.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as GenesysHttp from "../../GenesysHttp.js"

/** The route template of the limits read. */
export const route = "GET /api/v2/organizations/limits/namespaces/{namespaceName}"

const Limit = Schema.Struct({
  key: Schema.optional(Schema.String),
  namespace: Schema.optional(Schema.String),
  value: Schema.optional(Schema.Number)
})

const LimitsEntityListing = Schema.Struct({ entities: Schema.optional(Schema.Array(Limit)) })

const detailJobsKey = /(^|\.)details\.jobs\.concurrent\.access\.max$/

/** The concurrent detail-jobs limit in a listing, if it names one with a positive whole value. */
export const concurrentDetailJobs = (listing: typeof LimitsEntityListing.Type): number | undefined => {
  const limit = listing.entities?.find(
    (l) => l.key !== undefined && detailJobsKey.test(l.key) && !l.key.includes("aggregates")
  )
  return limit?.value !== undefined && Number.isInteger(limit.value) && limit.value > 0 ? limit.value : undefined
}

/** How long the optional read may take before the caller goes on without it. */
export const readDeadline = "10 seconds"

/**
 * The org's concurrent detail-jobs limit, or `undefined` when the API does not say (refused, missing, unreadable, or
 * slower than `readDeadline`): the limit only tunes how much runs at once, so its absence is never a failure.
 */
export const make = (http: GenesysHttp.Service) => (): Effect.Effect<number | undefined> =>
  http
    .json(HttpClientRequest.get("/api/v2/organizations/limits/namespaces/analytics"), LimitsEntityListing, {
      route,
      idempotent: true,
      parseOptions: { onExcessProperty: "preserve" }
    })
    .pipe(
      Effect.map(concurrentDetailJobs),
      Effect.timeout(readDeadline),
      Effect.orElseSucceed(() => undefined)
    )
