// A real Postgres server for the Postgres tests (one per test file, started by `layer(postgresServer)`), and a fresh
// database of it per test, reached by the SQL sink's own client layer.
import * as TestPostgres from "@effect-genesys/test-postgres"
import { Effect, Layer } from "effect"
import * as SqlSinkPg from "../src/SqlSinkPg.js"

/** The server, built once by `layer(postgresServer, { excludeTestServices: true })(...)`. */
export const postgresServer = TestPostgres.layer()

/** The SQL sink's Postgres layer over a new empty database `name` of the file's server. */
export const postgresDatabase = (name: string) =>
  Layer.unwrapEffect(Effect.map(TestPostgres.createDatabase(name), (url) => SqlSinkPg.layer({ url })))
