/** How a job runner tells the queue what became of its job: return for success, throw one of these otherwise. */

/** The abort reason when the process stops: the job stays locked and resumes after the restart. */
export class Shutdown extends Error {
  constructor() { super("labforge is shutting down"); }
}

/** The job has nothing left to do (its cluster was deleted or changed meanwhile): recorded as cancelled, not failed. */
export class JobCancelled extends Error {}

/** A failed attempt with what the user should see; `retryable` ones run again with backoff while attempts remain. */
export class JobFailure extends Error {
  constructor(message: string, readonly opts: { retryable?: boolean; logTail?: string } = {}) {
    super(message);
  }
}
