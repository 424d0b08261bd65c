export { Mixer, type MixerOptions } from './mixer';
export { MixedPredictor, type MixState, type Contributions } from './mixedPredictor';
export { scoreMixed, type MixedScore } from '../eval/mixture';
export { MatchModel, type MatchState } from './matchModel';
