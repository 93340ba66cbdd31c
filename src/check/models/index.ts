import type { AnyModel } from '../model.js';
import { etcdModel } from './etcd.js';
import { kvModel } from './kv.js';
import { registerModel } from './register.js';

export { etcdModel, kvModel, registerModel };

const MODELS: Record<string, AnyModel> = {
  register: registerModel as AnyModel,
  kv: kvModel as AnyModel,
  etcd: etcdModel as AnyModel,
};

export const MODEL_NAMES: readonly string[] = Object.keys(MODELS);

/** The model called `name`, or undefined. */
export function modelByName(name: string): AnyModel | undefined {
  return Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
}
