// The index only signs the tab in, so the examples it links to start at once.
import { signedIn } from './common.js';

signedIn();
