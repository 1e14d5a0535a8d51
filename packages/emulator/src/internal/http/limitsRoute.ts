/**
 * `GET /api/v2/organizations/limits/namespaces/{namespaceName}`: the org's effective limits in a namespace, as a
 * `LimitsEntityListing` (`entities` of `Limit {key, namespace, value}`; FACTS §5.1). The emulator knows the limits it
 * enforces: in `analytics`, the concurrent detail and aggregate jobs (the keys its 429s name). Any other namespace
 * answers an empty listing.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import { concurrentLimitKey as aggregatesConcurrentKey } from "./aggregateRoutes.js"
import { json, type RawResponse } from "./wire.js"

export const limits = (options: EmulatorOptions, namespace: string): RawResponse =>
  json(200, {
    entities:
      namespace === "analytics"
        ? [
            { key: options.jobs.concurrentLimitKey, namespace, value: options.jobs.maxConcurrent },
            { key: aggregatesConcurrentKey, namespace, value: options.jobs.maxConcurrent }
          ]
        : []
  })
