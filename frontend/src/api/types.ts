// Names for the generated OpenAPI types (src/api/schema.d.ts is generated: `npm run api-types`).
import type { components } from "./schema";

type S = components["schemas"];
export type AnalysisResponse = S["AnalysisResponse"];
export type AnalysisResult = S["AnalysisResult"];
export type AnalysisSummary = S["AnalysisSummary"];
export type AnalysisStatus = S["AnalysisStatus"];
export type AgentStatus = S["AgentStatus"];
export type AgentSummary = S["AgentSummary"];
export type AgentProgress = S["AgentProgress"];
export type ApiKey = S["ApiKeyResponse"];
export type NewApiKey = S["NewApiKeyResponse"];
export type ApiKeyRequest = S["ApiKeyRequest"];
export type Chain = S["Chain"];
export type Finding = S["Finding"];
export type RiskLevel = S["RiskLevel"];
export type Severity = S["Severity"];
export type TokenResponse = S["TokenResponse"];
export type TradeSimulation = S["TradeSimulationView"];
export type User = S["UserResponse"];
export type ErrorBody = S["ErrorBody"];
export type Submitted = S["AnalyzeResponse"];
