// The Worker the Worker API starts by default (client.js): the synchronous API, served.
// To register VFSes of your own, write a Worker like this one and pass its URL to DatabaseWorker.
import { serveDatabases } from '../browser-engine.js'; // the loader and the browser's VFSes, no Worker API client

serveDatabases(globalThis);
