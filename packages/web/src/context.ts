/** What every page needs: the language and the signed-in session, through one preact context. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Lang } from './format.js';
import type { Session } from './session.js';

export interface AppContext {
  readonly lang: Lang;
  readonly session: Session;
}

export const App = createContext<AppContext | undefined>(undefined);

/** The language and session of the page; only used under a signed-in `App.Provider`. */
export const useApp = (): AppContext => {
  const context = useContext(App);
  if (!context) throw new Error('useApp outside App.Provider');
  return context;
};

/** Whether the session is a village operator's and nothing more: their village is their dashboard. */
export const isOperator = (session: Session) =>
  session.claims.roles.includes('village-operator') &&
  !session.claims.roles.some((r) => ['sponsor-officer', 'sponsor-approver', 'auditor', 'admin'].includes(r));
