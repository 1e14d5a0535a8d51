import { defineProject, mergeConfig } from "vitest/config"
import { inProcess, shared } from "../../vitest.shared.js"

export default mergeConfig(mergeConfig(shared, inProcess), defineProject({}))
