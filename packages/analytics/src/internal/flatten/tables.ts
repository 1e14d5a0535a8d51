/** @internal */

/** @internal */
export type LogicalType = "string" | "timestamp" | "integer" | "real" | "boolean" | "json"

/** @internal */
export interface ColumnSpec {
  readonly name: string
  readonly type: LogicalType
  /** Field of the source object the value is read from; absent for key and parent columns. */
  readonly source?: string
}

const snake = (field: string): string =>
  field
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()

/**
 * Parses `field:type` words; the type defaults to `string`. Keeping the swagger field list as text keeps it easy to
 * compare with the Appendix of FACTS.md.
 */
const fields = (spec: string): ReadonlyArray<ColumnSpec> =>
  spec
    .trim()
    .split(/\s+/)
    .map((word) => {
      const [field, type = "string"] = word.split(":") as [string, LogicalType | undefined]
      return { name: snake(field), type, source: field }
    })

const key = (name: string, type: LogicalType = "string"): ColumnSpec => ({ name, type })

/** @internal */
export interface TableSpec {
  readonly name: string
  readonly description: string
  readonly columns: ReadonlyArray<ColumnSpec>
  readonly primaryKey: ReadonlyArray<string>
}

/** @internal */
export const conversations: TableSpec = {
  name: "conversations",
  description: "One row per conversation.",
  primaryKey: ["conversation_id"],
  columns: [
    key("conversation_id"),
    ...fields(`conversationStart:timestamp conversationEnd:timestamp conferenceStart:timestamp
      inactivityTimeout:timestamp originatingDirection conversationInitiator customerParticipation:boolean
      originatingSocialMediaPublic:boolean selfServed:boolean externalTag associatedConversationId
      mediaStatsMinConversationMos:real mediaStatsMinConversationRFactor:real divisionIds:json accessAttributes:json
      knowledgeBaseIds:json consultationConversationIds:json`)
  ]
}

/** @internal */
export const participants: TableSpec = {
  name: "participants",
  description: "One row per participant; `participant_id` is `#<index>` when the record has none.",
  primaryKey: ["conversation_id", "participant_id"],
  columns: [
    key("conversation_id"),
    key("participant_id"),
    key("participant_index", "integer"),
    ...fields(`participantName purpose userId teamId externalContactId externalOrganizationId flaggedReason
      screenRecording:boolean`)
  ]
}

/** @internal */
export const participantAttributes: TableSpec = {
  name: "participant_attributes",
  description: "One row per participant attribute (job results only; the sync query has no attributes).",
  primaryKey: ["conversation_id", "participant_id", "name"],
  columns: [key("conversation_id"), key("participant_id"), key("name"), key("value")]
}

/** @internal */
export const sessions: TableSpec = {
  name: "sessions",
  description: "One row per session; `session_id` is `<participant_id>#<index>` when the record has none.",
  primaryKey: ["conversation_id", "session_id"],
  columns: [
    key("conversation_id"),
    key("session_id"),
    key("participant_id"),
    key("session_index", "integer"),
    ...fields(`mediaType direction ani dnis sessionDnis addressFrom addressTo addressSelf addressOther peerId
      protocolCallId provider remote remoteNameDisplayable edgeId recording:boolean messageType mediaCount:integer
      outboundCampaignId outboundContactId outboundContactListId callbackScheduledTime:timestamp callbackUserName
      callbackNumbers:json scriptId skillExpressionId flowInType flowOutType usedRouting requestedRoutings:json
      routingRing:integer routingRule routingRuleType selectedAgentId selectedAgentRank:integer
      agentBullseyeRing:integer agentOwned:boolean agentAssistantId assignerId authenticated:boolean
      acwSkipped:boolean cleared:boolean bargedParticipantId coachedParticipantId monitoredParticipantId
      screenMonitoredUserId cobrowseRole cobrowseRoomId deliveryPushed:boolean deliveryStatus
      deliveryStatusChangeDate:timestamp extendedDeliveryStatus detectedSpeechStart:timestamp
      detectedSpeechEnd:timestamp dispositionAnalyzer dispositionName engagementSource errorCodeDescription
      journeyActionId journeyActionMapId journeyActionMapVersion:integer journeyCustomerId journeyCustomerIdType
      journeyCustomerSessionId journeyCustomerSessionIdType mediaBridgeId roomId screenShareAddressSelf
      screenShareRoomId sharingScreen:boolean skipEnabled:boolean snippetRecording:boolean timeoutSeconds:integer
      videoAddressSelf videoRoomId activeSkillIds:json removedSkillIds:json destinationAddresses:json bcc:json cc:json
      eligibleAgentCounts:json waitingInteractionCounts:json agentGroups:json proposedAgents:json
      mediaEndpointStats:json`)
  ]
}

/** @internal */
export const segments: TableSpec = {
  name: "segments",
  description:
    "One row per segment; `segment_key` = session id, segment start, segment type and the occurrence number of " +
    "that triple, so a segment that gains its `segmentEnd` on re-extraction keeps its key.",
  primaryKey: ["conversation_id", "segment_key"],
  columns: [
    key("conversation_id"),
    key("segment_key"),
    key("session_id"),
    key("participant_id"),
    ...fields(`segmentStart:timestamp segmentEnd:timestamp segmentType disconnectType queueId wrapUpCode wrapUpNote
      wrapUpTags:json errorCode conference:boolean groupId subject audioMuted:boolean videoMuted:boolean
      requestedLanguageId requestedRoutingSkillIds:json requestedRoutingUserIds:json q850ResponseCodes:json
      sipResponseCodes:json sourceConversationId sourceSessionId destinationConversationId destinationSessionId
      scoredAgents:json properties:json`)
  ]
}

/** @internal */
export const sessionMetrics: TableSpec = {
  name: "session_metrics",
  description: "One row per session metric; `metric_key` = session id, name, emit date and occurrence number.",
  primaryKey: ["conversation_id", "metric_key"],
  columns: [
    key("conversation_id"),
    key("metric_key"),
    key("session_id"),
    key("participant_id"),
    ...fields("name value:integer emitDate:timestamp")
  ]
}

/** @internal */
export const flows: TableSpec = {
  name: "flows",
  description: "One row per session that ran an Architect flow (IVR, bot, in-queue...).",
  primaryKey: ["conversation_id", "session_id"],
  columns: [
    key("conversation_id"),
    key("session_id"),
    key("participant_id"),
    ...fields(`flowId flowName flowVersion flowType entryType entryReason exitReason transferType transferTargetAddress
      transferTargetName issuedCallback:boolean startingLanguage endingLanguage recognitionFailureReason`)
  ]
}

/** @internal */
export const flowOutcomes: TableSpec = {
  name: "flow_outcomes",
  description: "One row per flow outcome; `outcome_key` = session id, outcome id, start and occurrence number.",
  primaryKey: ["conversation_id", "outcome_key"],
  columns: [
    key("conversation_id"),
    key("outcome_key"),
    key("session_id"),
    ...fields(`flowOutcomeId flowOutcome flowOutcomeValue flowOutcomeStartTimestamp:timestamp
      flowOutcomeEndTimestamp:timestamp`)
  ]
}

/** @internal */
export const evaluations: TableSpec = {
  name: "evaluations",
  description: "One row per quality evaluation; `evaluation_key` is the evaluation id (or `#<index>`).",
  primaryKey: ["conversation_id", "evaluation_key"],
  columns: [
    key("conversation_id"),
    key("evaluation_key"),
    ...fields(`evaluationId evaluationStatus eventTime:timestamp formId formName contextId calibrationId queueId userId
      evaluatorId assigneeId assigneeApplicable:boolean deleted:boolean released:boolean rescored:boolean
      systemSubmitted:boolean oTotalScore:integer oTotalCriticalScore:integer`)
  ]
}

/** @internal */
export const surveys: TableSpec = {
  name: "surveys",
  description: "One row per survey; `survey_key` is the survey id (or `#<index>`).",
  primaryKey: ["conversation_id", "survey_key"],
  columns: [
    key("conversation_id"),
    key("survey_key"),
    ...fields(`surveyId surveyType surveyStatus eventTime:timestamp surveyCompletedDate:timestamp surveyFormId
      surveyFormName surveyFormContextId surveyPartialResponse:boolean surveyPromoterScore:integer queueId userId
      oSurveyTotalScore:integer`)
  ]
}

/** @internal */
export const resolutions: TableSpec = {
  name: "resolutions",
  description: "One row per resolution; `resolution_key` = event time, queue, user and occurrence number.",
  primaryKey: ["conversation_id", "resolution_key"],
  columns: [
    key("conversation_id"),
    key("resolution_key"),
    ...fields("eventTime:timestamp queueId userId nNextContactAvoided:integer")
  ]
}

/** @internal */
export const all = [
  conversations,
  participants,
  participantAttributes,
  sessions,
  segments,
  sessionMetrics,
  flows,
  flowOutcomes,
  evaluations,
  surveys,
  resolutions
] as const
