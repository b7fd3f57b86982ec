/** @jest-config-loader esbuild-register */
import { preset } from '../../jest.preset';

export default preset(__dirname);
