// Results pages the Schema accepts, for property tests, with every array at most a few items long: the Schema's own
// arbitrary nests conversations, participants, sessions, segments and metrics up to ten deep each, so its pages
// weigh ~0.6 MB at the median and 100 of them take ~12 s to generate, which a loaded CI machine turns into a timeout.
// A few items per level still gives pages of several records with several of each nested kind.
import { Arbitrary, FastCheck as fc } from "effect"
import * as ConversationRecord from "../src/ConversationRecord.js"

const itemsPerArray = 3

const fewItems: typeof fc = {
  ...fc,
  array: ((item: fc.Arbitrary<unknown>, constraints: fc.ArrayConstraints = {}) =>
    fc.array(item, {
      ...constraints,
      maxLength: Math.max(constraints.minLength ?? 0, Math.min(constraints.maxLength ?? itemsPerArray, itemsPerArray))
    })) as typeof fc.array
}

/** A results page the Schema accepts, with at most a few items in each array. */
export const resultsPage = Arbitrary.makeLazy(ConversationRecord.AnalyticsConversationAsyncQueryResponse)(fewItems)
