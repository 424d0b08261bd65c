export { Mixer, type MixerOptions } from './mixer';
export { MixedPredictor, type MixState, type Contributions, type Mixing, type MixOptions, priorLstmShare } from './mixedPredictor';
export { Apm } from './apm';
export { HeldOutProbe, addScoringTail } from './prior';
export { DocumentLines } from './documentLines';
export { MatchModel, type MatchState } from './matchModel';
export { buildWorkspaceModels, type WorkspaceModels } from './workspace';
