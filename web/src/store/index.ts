import { Live } from './live';
import { store } from './store';

export { store, useStore } from './store';
/** The app's one live feed (started after login). */
export const live = new Live(store);
