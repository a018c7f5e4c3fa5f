// Every client against real Herald processes. One file, so the JVMs start once: vitest runs files in
// separate workers, and these suites share the cluster (and kill and restart its node `a`).
import { describe } from "vitest";
import { useCluster } from "./support/cluster.js";
import { broadcastSuite } from "./suites/broadcast.js";
import { channelSuite } from "./suites/channel.js";
import { laneSuite } from "./suites/lane.js";
import { restartSuite } from "./suites/restart.js";
import { roomSuite } from "./suites/room.js";

const cluster = useCluster();

describe("broadcast", () => broadcastSuite(cluster));
describe("channel", () => channelSuite(cluster));
describe("lane", () => laneSuite(cluster));
describe("room", () => roomSuite(cluster));
describe("a node killed mid-stream and started again", () => restartSuite(cluster));
