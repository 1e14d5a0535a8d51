/**
 * Job results cursors: `base64url(jobId:offset)`. Opaque to clients, but self-describing so that the
 * emulator needs no cursor table and can tell a cursor of another job from a stale one.
 */

/** The cursor of the page of `jobId` that starts at `offset`. */
export const encodeCursor = (jobId: string, offset: number): string =>
  btoa(`${jobId}:${offset}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

/** `[jobId, offset]` of a cursor, or `undefined` when it is not one the emulator could have written. */
export const decodeCursor = (cursor: string): readonly [string, number] | undefined => {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))
    // The last colon: the offset never holds one, a job id might.
    const i = text.lastIndexOf(":")
    const offset = Number(text.slice(i + 1))
    return i < 0 || !Number.isSafeInteger(offset) || offset < 0 ? undefined : [text.slice(0, i), offset]
  } catch {
    return undefined
  }
}
