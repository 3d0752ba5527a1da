import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite';
import { tempDir } from './helpers';
import { describeInsights } from './insights-contract';

describeInsights('SQLite', () => openSqliteStore(':memory:'));
describeInsights('SQLite in a file', () => openSqliteStore(join(tempDir(), 'events.db')));
