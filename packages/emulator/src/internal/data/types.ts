/**
 * Plain-JSON shapes of the records the generator emits. Field names and enum values are the swagger's
 * (openapi-subset.json); only the fields the generator fills are declared, so these stay assignable to the
 * analytics package's decoded types.
 */

export interface SessionMetric {
  readonly name: string
  readonly value: number
  readonly emitDate: string
}

export interface Property {
  readonly property: string
  readonly propertyType: "bool" | "integer" | "real" | "date" | "string" | "uuid"
  readonly value: string
}

export interface ScoredAgent {
  readonly scoredAgentId: string
  readonly agentScore: number
}

export interface Segment {
  readonly segmentStart: string
  readonly segmentEnd?: string
  readonly segmentType: string
  readonly disconnectType?: string
  readonly queueId?: string
  readonly wrapUpCode?: string
  readonly wrapUpNote?: string
  readonly wrapUpTags?: ReadonlyArray<string>
  readonly conference?: boolean
  readonly requestedRoutingSkillIds?: ReadonlyArray<string>
  readonly requestedLanguageId?: string
  readonly subject?: string
  readonly sipResponseCodes?: ReadonlyArray<number>
  readonly q850ResponseCodes?: ReadonlyArray<number>
  readonly errorCode?: string
  readonly groupId?: string
  readonly sourceSessionId?: string
  readonly destinationSessionId?: string
  readonly scoredAgents?: ReadonlyArray<ScoredAgent>
  readonly properties?: ReadonlyArray<Property>
}

export interface FlowOutcome {
  readonly flowOutcome: string
  readonly flowOutcomeId: string
  readonly flowOutcomeValue: string
  readonly flowOutcomeStartTimestamp: string
  readonly flowOutcomeEndTimestamp?: string
}

export interface Flow {
  readonly flowId: string
  readonly flowName: string
  readonly flowVersion: string
  readonly flowType: string
  readonly entryType: string
  readonly entryReason: string
  readonly exitReason: string
  readonly transferType?: string
  readonly transferTargetAddress?: string
  readonly transferTargetName?: string
  readonly issuedCallback?: boolean
  readonly startingLanguage: string
  readonly endingLanguage: string
  readonly outcomes?: ReadonlyArray<FlowOutcome>
}

export interface MediaEndpointStat {
  readonly codecs: ReadonlyArray<string>
  readonly discardedPackets: number
  readonly duplicatePackets: number
  readonly eventTime: string
  readonly invalidPackets: number
  readonly maxLatencyMs: number
  readonly minMos: number
  readonly minRFactor: number
  readonly overrunPackets: number
  readonly receivedPackets: number
  readonly underrunPackets: number
}

export interface Session {
  readonly sessionId: string
  readonly mediaType: string
  readonly direction: "inbound" | "outbound"
  readonly ani?: string
  readonly dnis?: string
  readonly sessionDnis?: string
  readonly addressFrom?: string
  readonly addressTo?: string
  readonly addressSelf?: string
  readonly addressOther?: string
  readonly remote?: string
  readonly provider?: string
  readonly edgeId?: string
  readonly protocolCallId?: string
  readonly peerId?: string
  readonly recording?: boolean
  readonly messageType?: string
  readonly mediaCount?: number
  readonly callbackNumbers?: ReadonlyArray<string>
  readonly callbackUserName?: string
  readonly callbackScheduledTime?: string
  readonly requestedRoutings?: ReadonlyArray<string>
  readonly usedRouting?: string
  readonly selectedAgentId?: string
  readonly routingRing?: number
  readonly acwSkipped?: boolean
  readonly flowInType?: string
  readonly flowOutType?: string
  readonly flow?: Flow
  readonly mediaEndpointStats?: ReadonlyArray<MediaEndpointStat>
  readonly metrics: ReadonlyArray<SessionMetric>
  readonly segments: ReadonlyArray<Segment>
}

export interface ParticipantWithoutAttributes {
  readonly participantId: string
  readonly participantName?: string
  readonly purpose: string
  readonly userId?: string
  readonly teamId?: string
  readonly externalContactId?: string
  readonly flaggedReason?: "general"
  readonly screenRecording?: boolean
  readonly sessions: ReadonlyArray<Session>
}

export interface Participant extends ParticipantWithoutAttributes {
  readonly attributes?: Readonly<Record<string, string>>
}

export interface Evaluation {
  readonly evaluationId: string
  readonly evaluatorId: string
  readonly userId: string
  readonly queueId: string
  readonly formId: string
  readonly formName: string
  readonly contextId: string
  readonly eventTime: string
  readonly evaluationStatus: "Finished" | "InProgress" | "InReview" | "Pending" | "Retracted"
  readonly assigneeApplicable: boolean
  readonly assigneeId?: string
  readonly deleted: boolean
  readonly released: boolean
  readonly rescored: boolean
  readonly systemSubmitted: boolean
  readonly oTotalScore: number
  readonly oTotalCriticalScore: number
}

export interface Survey {
  readonly surveyId: string
  readonly surveyFormId: string
  readonly surveyFormContextId: string
  readonly surveyFormName: string
  readonly surveyStatus: string
  readonly surveyType: "Web" | "Voice"
  readonly queueId: string
  readonly userId: string
  readonly eventTime: string
  readonly surveyCompletedDate?: string
  readonly surveyPartialResponse: boolean
  readonly surveyPromoterScore?: number
  readonly oSurveyTotalScore?: number
}

export interface Resolution {
  readonly eventTime: string
  readonly queueId: string
  readonly userId: string
  readonly nNextContactAvoided: number
}

export interface ConversationWithoutAttributes {
  readonly conversationId: string
  readonly conversationStart: string
  readonly conversationEnd?: string
  readonly conferenceStart?: string
  readonly originatingDirection: "inbound" | "outbound"
  readonly conversationInitiator?: string
  readonly customerParticipation?: boolean
  readonly divisionIds: ReadonlyArray<string>
  readonly externalTag?: string
  readonly knowledgeBaseIds?: ReadonlyArray<string>
  readonly mediaStatsMinConversationMos?: number
  readonly mediaStatsMinConversationRFactor?: number
  readonly originatingSocialMediaPublic?: boolean
  readonly selfServed?: boolean
  readonly evaluations?: ReadonlyArray<Evaluation>
  readonly surveys?: ReadonlyArray<Survey>
  readonly resolutions?: ReadonlyArray<Resolution>
  readonly participants: ReadonlyArray<ParticipantWithoutAttributes>
}

export interface Conversation extends Omit<ConversationWithoutAttributes, "participants"> {
  readonly participants: ReadonlyArray<Participant>
}
