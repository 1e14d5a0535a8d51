/** `POST …/details/query`: the sync detail query, one page of its answer by page number (FACTS §3.2). */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import * as Generator from "../../Generator.js"
import type * as GroundTruth from "../../GroundTruth.js"
import { parseJson } from "./jsonBody.js"
import type { QueryTruth } from "./queryTruth.js"
import { validateSync } from "./validate.js"
import { type ApiError, isApiError, json, type RawRequest, type RawResponse } from "./wire.js"

/** The handler of sync queries over `dataset`. */
export const make =
  (options: EmulatorOptions, _dataset: Generator.Dataset, truth: QueryTruth) =>
  (request: RawRequest, t: number): RawResponse | ApiError => {
    const body = parseJson(request)
    if (isApiError(body)) return body
    const valid = validateSync(body, options)
    if (isApiError(valid)) return valid
    const answer = truth.sync(valid.body as unknown as GroundTruth.QueryLike, t)
    const from = (valid.pageNumber - 1) * valid.pageSize
    const page = answer.indices.slice(from, from + valid.pageSize)
    const response: Record<string, unknown> = {}
    // Past the last page the platform omits `conversations` (UNCERTAIN: `sync.pastLastPage`).
    if (page.length > 0 || options.sync.pastLastPage === "empty") {
      const current = truth.datasetAt(t)
      response.conversations = page.map((i) => Generator.withoutAttributes(current.conversation(i)))
    }
    if (answer.aggregations !== undefined) response.aggregations = answer.aggregations
    response.totalHits = answer.totalHits
    return json(200, response)
  }
