/** Conversations by id: `GET …/conversations/{id}/details` and the multi-get `GET …/details?id=`. */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import * as Generator from "../../Generator.js"
import * as Live from "../data/live.js"
import { type ApiError, badRequest, json, notFound, type RawResponse } from "./wire.js"

/** The two by-id handlers over `dataset`. */
export interface ConversationRoutes {
  readonly one: (id: string, t: number) => RawResponse | ApiError
  readonly many: (search: URLSearchParams, t: number) => RawResponse | ApiError
}

/** Ids of a multi-get: repeated `id` parameters and comma-separated lists, empty ones dropped. */
export const multiGetIds = (search: URLSearchParams): ReadonlyArray<string> =>
  search
    .getAll("id")
    .flatMap((v) => v.split(","))
    .filter((v) => v !== "")

/**
 * The by-id handlers; a conversation that has not ended by `t` does not exist yet, except in live mode, where one
 * that has started is served open.
 */
export const make = (options: EmulatorOptions, dataset: Generator.Dataset): ConversationRoutes => {
  const live = options.live
  const visible = (index: number, t: number) =>
    live === undefined ? dataset.endMillis(index) <= t : dataset.startMillis(index) <= t
  const form = (index: number, t: number) =>
    live === undefined ? dataset.conversation(index) : Live.formAt(dataset, live, index, t)

  const one = (id: string, t: number): RawResponse | ApiError => {
    const index = dataset.indexOfId(id)
    if (index === undefined || !visible(index, t)) return notFound(`Unable to find conversation with id ${id}`)
    return json(200, Generator.withoutAttributes(form(index, t)))
  }

  const many = (search: URLSearchParams, t: number): RawResponse | ApiError => {
    const ids = multiGetIds(search)
    if (ids.length === 0) return badRequest("At least one id is required", "id")
    if (ids.length > options.multiGetMaxIds) {
      return badRequest(`No more than ${options.multiGetMaxIds} ids may be requested`, "id")
    }
    const conversations = []
    // Unknown and not-yet-visible ids are left out, not refused; duplicates are answered once.
    for (const id of new Set(ids)) {
      const index = dataset.indexOfId(id)
      if (index !== undefined && visible(index, t)) {
        conversations.push(Generator.withoutAttributes(form(index, t)))
      }
    }
    return json(200, { conversations })
  }

  return { one, many }
}
