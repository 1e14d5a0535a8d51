/**
 * The metric facts of every conversation, kept once computed: what the platform's pre-aggregated analytics store is to
 * its aggregate queries. An aggregate fold over it costs a pass over numbers instead of generating every conversation
 * again (~20 µs each), so an unfiltered query, grouped by nothing or by `mediaType`, is answered as the platform
 * answers one: without rebuilding the conversations. The answer is the same (`aggregates.ts` folds either way).
 */
import type { Dataset } from "../../Generator.js"
import { dimensionValues, factsOf } from "./aggregates.js"

/** Facts of conversations `[0, size)`, column by column; conversation `i`'s are `[offsets[i], offsets[i + 1])`. */
export interface FactStore {
  readonly size: number
  readonly offsets: Uint32Array
  /** Index into `names`. */
  readonly metric: Uint16Array
  readonly value: Float64Array
  readonly emitMillis: Float64Array
  /** Index into `mediaTypes`: the fact's `mediaType` values, first-seen order. */
  readonly mediaType: Uint16Array
  readonly names: ReadonlyArray<string>
  readonly mediaTypes: ReadonlyArray<ReadonlyArray<string>>
}

/** Computes the facts of every conversation of `dataset` (the cost of generating each once). */
export const build = (dataset: Dataset): FactStore => {
  const offsets = new Uint32Array(dataset.size + 1)
  const metric: Array<number> = []
  const value: Array<number> = []
  const emitMillis: Array<number> = []
  const mediaType: Array<number> = []
  const names: Array<string> = []
  const nameIds = new Map<string, number>()
  const mediaTypes: Array<ReadonlyArray<string>> = []
  const mediaTypeIds = new Map<string, number>()
  const intern = <A>(key: string, ids: Map<string, number>, list: Array<A>, item: A) => {
    let id = ids.get(key)
    if (id === undefined) {
      id = list.length
      list.push(item)
      ids.set(key, id)
    }
    return id
  }
  for (let i = 0; i < dataset.size; i++) {
    for (const fact of factsOf(
      dataset,
      i,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY
    )) {
      const media = dimensionValues(fact, "mediaType")
      metric.push(intern(fact.name, nameIds, names, fact.name))
      value.push(fact.value)
      emitMillis.push(fact.emitMillis)
      mediaType.push(intern(JSON.stringify(media), mediaTypeIds, mediaTypes, media))
    }
    offsets[i + 1] = metric.length
  }
  return {
    size: dataset.size,
    offsets,
    metric: Uint16Array.from(metric),
    value: Float64Array.from(value),
    emitMillis: Float64Array.from(emitMillis),
    mediaType: Uint16Array.from(mediaType),
    names,
    mediaTypes
  }
}
