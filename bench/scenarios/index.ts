import type { Scenario } from '../lib/context';
import { feed } from './feed';
import { hop } from './hop';
import { lag } from './lag';
import { list } from './list';
import { login } from './login';
import { search } from './search';

/** Every scenario, in the order `npm run bench` runs them; `--only=hop,lag` picks some. Add new ones here. */
export const SCENARIOS: readonly Scenario[] = [hop, list, search, lag, login, feed];
