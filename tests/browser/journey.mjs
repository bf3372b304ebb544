// The marketplace in a real headless Chromium (Debian's), driven by
// playwright-core: an association searches near Voiron, asks for the
// gymnasium of the Collège La Garenne, its manager approves, the
// association pays on the simulated provider's page. axe-core checks every
// page of the journey against WCAG 2.1 A and AA: no violation allowed.
// With SALLE_SCREENSHOTS=1, screenshots of the main pages go to
// docs/screenshots/ (the README shows them).
//
// Runs against `salle serve --demo` on a fresh embedded store, then on a
// fresh PostgreSQL database. Environment: SALLE_BIN (the binary),
// DATABASE_URL (the PostgreSQL server), CHROMIUM (default /usr/bin/chromium).

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const here = dirname(fileURLToPath(import.meta.url));
const screenshots = join(here, "..", "..", "docs", "screenshots");
const bin = process.env.SALLE_BIN;
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const pgServer = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

const ACCOUNTS = {
  association: ["chorale@demo.salle.test", "demo-chorale-voirons"],
  manager: ["gestion@demo.salle.test", "demo-gestion-college"],
  finance: ["finance@demo.salle.test", "demo-finances-38"],
  admin: ["admin@demo.salle.test", "demo-administration"],
};

function fail(message) {
  throw new Error(message);
}

async function axeCheck(page, label) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  if (result.violations.length > 0) {
    const details = result.violations
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)
      .join("\n  ");
    fail(`axe-core: ${result.violations.length} violation(s) on ${label}:\n  ${details}`);
  }
  console.log(`  axe-core: 0 violations on ${label} (${result.passes.length} rules passed)`);
}

async function waitReady(base) {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`salle did not become ready at ${base}`);
}

// One message's parts decoded (lettre writes quoted-printable or base64).
function decodeMessage(raw) {
  let out = "";
  for (const chunk of raw.split("\r\n--")) {
    const at = chunk.indexOf("\r\n\r\n");
    if (at < 0) continue;
    const head = chunk.slice(0, at).toLowerCase();
    const body = chunk.slice(at + 4);
    if (head.includes("content-transfer-encoding: quoted-printable")) {
      const bytes = [];
      const text = body.replace(/=\r\n/g, "");
      for (let i = 0; i < text.length; i++) {
        if (text[i] === "=" && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
          bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
          i += 2;
        } else bytes.push(text.charCodeAt(i));
      }
      out += Buffer.from(bytes).toString("utf8") + "\n";
    } else if (head.includes("content-transfer-encoding: base64")) {
      out += Buffer.from(body.replace(/\s/g, ""), "base64").toString("utf8") + "\n";
    } else out += body + "\n";
  }
  return out;
}

// The newest message to `address` whose decoded text contains `words`, and
// the first link in it whose path starts with `prefix`; waits up to 10 s.
async function mailedLink(dir, address, words, prefix) {
  for (let i = 0; i < 200; i++) {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".eml"))
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const file of files) {
      const raw = readFileSync(file, "utf8");
      const to = (raw.match(/^To: (.*)$/im) || [])[1] || "";
      if (!to.toLowerCase().includes(address.toLowerCase())) continue;
      const text = decodeMessage(raw);
      if (!text.includes(words)) continue;
      if (!/^Auto-Submitted: auto-generated/im.test(raw)) fail(`the message to ${address} is not marked auto-generated`);
      const link = (text.match(new RegExp(`https?://[^\\s"<]*${prefix}[^\\s"<]*`)) || [])[0];
      if (!link) fail(`the message to ${address} about « ${words} » has no link to ${prefix}`);
      return link;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`no message to ${address} about « ${words} » in ${dir}`);
}

async function signIn(page, base, [email, password]) {
  await page.goto(`${base}/connexion`);
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(`${base}/reservations`);
}

/// Monday to Friday, at least ten days ahead.
function candidateDays() {
  const days = [];
  const d = new Date(Date.now() + 10 * 86400000);
  while (days.length < 40) {
    if (d.getDay() >= 1 && d.getDay() <= 5) days.push(d.toISOString().slice(0, 10));
    d.setDate(d.getDate() + 1);
  }
  return days;
}

async function journey(browser, databaseUrl, label, shoot) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  // JSON logs at the debug level, as collected in production: kept to check
  // that they hold no personal data or secret.
  const mailDir = mkdtempSync(join(tmpdir(), "salle-journey-mail-"));
  const server = spawn(bin, ["serve", "--bind", `127.0.0.1:${port}`, "--demo"], {
    env: { ...process.env, SALLE_DATABASE_URL: databaseUrl, SALLE_MAIL_DIR: mailDir, SALLE_LOG_FORMAT: "json", RUST_LOG: "debug,sqlx=warn,h2=warn,hyper=warn,rustls=warn,actix_server=info" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const logs = [];
  server.stderr.setEncoding("utf8");
  server.stderr.on("data", (chunk) => logs.push(chunk));
  const exited = new Promise((resolve) => server.on("exit", (code, signal) => resolve({ code, signal })));
  let passed = false;
  try {
    await waitReady(base);
    console.log(`${label}: salle ready at ${base}`);
    const contextOptions = { bypassCSP: true, locale: "fr-FR", viewport: { width: 1200, height: 900 } };
    const association = await (await browser.newContext(contextOptions)).newPage();

    // Search near Voiron.
    await association.goto(`${base}/`);
    await axeCheck(association, "the home page");
    if (shoot) await association.screenshot({ path: join(screenshots, "accueil.png"), fullPage: true });
    await association.getByLabel("Commune, code INSEE ou coordonnées").fill("Voiron");
    await association.getByRole("button", { name: "Rechercher" }).click();
    await association.waitForSelector("#results-title");
    // The map: one marker per result, over the list (tiles may not load here).
    await association.locator("#carte .leaflet-marker-icon").first().waitFor();
    const markers = await association.locator("#carte .leaflet-marker-icon").count();
    const results = await association.locator("ul.results > li").count();
    if (markers !== results) fail(`the map shows ${markers} markers for ${results} results`);
    await axeCheck(association, "the search results");
    if (shoot) await association.screenshot({ path: join(screenshots, "recherche.png"), fullPage: true });

    // The other public pages.
    for (const [path, name] of [
      ["/inscription", "the sign-up page"],
      ["/connexion", "the sign-in page"],
      ["/mentions-legales", "the legal notice"],
      ["/accessibilite", "the accessibility statement"],
    ]) {
      await association.goto(`${base}${path}`);
      await axeCheck(association, name);
    }

    // A new association signs up, with a phone number: personal data that
    // must reach the personal-data table and never the logs.
    const newcomer = await (await browser.newContext(contextOptions)).newPage();
    await newcomer.goto(`${base}/inscription`);
    await newcomer.getByLabel("Nom de l'association").fill("Fanfare de Voiron");
    await newcomer.getByLabel("Numéro RNA ou SIRET").fill("W381000041");
    await newcomer.getByLabel("Personne à contacter").fill("Louise Garnier");
    await newcomer.getByLabel("Téléphone (facultatif)").fill("06 12 34 56 78");
    await newcomer.getByLabel("Adresse e-mail").fill(NEWCOMER[0]);
    await newcomer.getByLabel("Mot de passe").fill(NEWCOMER[1]);
    await newcomer.getByRole("button", { name: "Créer le compte" }).click();
    await newcomer.getByRole("heading", { name: "Regardez votre messagerie" }).waitFor();
    await axeCheck(newcomer, "the sign-up's next step");
    // The link of the e-mail, then one button creates the account.
    const confirmLink = await mailedLink(mailDir, NEWCOMER[0], "confirmez que cette adresse", "/inscription/confirmer/");
    await newcomer.goto(confirmLink);
    await axeCheck(newcomer, "the sign-up's confirmation");
    await newcomer.getByRole("button", { name: "Créer le compte" }).click();
    await newcomer.waitForURL(`${base}/association`);
    await axeCheck(newcomer, "a new association's page");
    await newcomer.getByRole("link", { name: /\(association\)/ }).click();
    await newcomer.getByRole("heading", { name: "Mes e-mails" }).waitFor();
    await axeCheck(newcomer, "the account's e-mail choices");

    // The gymnasium of the Collège La Garenne, as an association.
    await signIn(association, base, ACCOUNTS.association);
    await axeCheck(association, "my bookings");
    await association.getByRole("link", { name: "Mon association" }).click();
    await association.getByRole("heading", { name: "Inviter un membre" }).waitFor();
    await axeCheck(association, "the association's page");
    await association.goto(`${base}/?near=Voiron&radius_km=5`);
    await association.getByRole("link", { name: /Gymnase — Collège La Garenne/ }).click();
    await association.waitForSelector("#semaine");
    await axeCheck(association, "the room page");
    if (shoot) await association.screenshot({ path: join(screenshots, "salle.png"), fullPage: true });
    const roomUrl = association.url();
    let booked = false;
    for (const day of candidateDays()) {
      await association.goto(roomUrl);
      await association.getByLabel("Date", { exact: true }).fill(day);
      await association.getByLabel("De", { exact: true }).fill("18:00");
      await association.getByLabel("À", { exact: true }).fill("20:00");
      await association.getByLabel("Nombre de personnes").fill("24");
      await association.getByLabel("Objet").fill("Répétition de la chorale");
      await association.getByRole("button", { name: "Envoyer la demande" }).click();
      await association.waitForLoadState();
      if (/\/reservations\/[0-9a-f-]+$/.test(association.url())) {
        booked = true;
        console.log(`  requested ${day} 18:00–20:00`);
        break;
      }
    }
    if (!booked) fail("no evening could be requested in the coming weeks");
    const bookingUrl = association.url();
    await association.getByText("demandée").first().waitFor();
    await axeCheck(association, "the booking page (requested)");

    // The manager approves.
    const manager = await (await browser.newContext(contextOptions)).newPage();
    await signIn(manager, base, ACCOUNTS.manager);
    await manager.getByText("à décider").first().waitFor();
    await axeCheck(manager, "the manager's bookings");
    if (shoot) await manager.screenshot({ path: join(screenshots, "gestion.png"), fullPage: true });
    await manager.goto(bookingUrl);
    await axeCheck(manager, "the booking page (manager)");
    await manager.getByRole("button", { name: "Approuver" }).click();
    await manager.waitForURL(bookingUrl);
    await manager.getByText("approuvée").first().waitFor();
    // The association reads the approval e-mail and follows its link.
    const approvedLink = await mailedLink(mailDir, ACCOUNTS.association[0], "votre demande est approuvée", "/reservations/");
    await association.goto(approvedLink);
    if (association.url() !== bookingUrl) fail(`the approval e-mail leads to ${association.url()}, not ${bookingUrl}`);
    await association.getByText("approuvée").first().waitFor();
    // The association writes to the establishment; the manager follows the
    // mailed link to the thread and answers; both pages pass axe.
    await association.getByLabel("Votre message").fill("Bonjour,\npouvons-nous arriver à 17 h 30 pour installer les pupitres ?");
    await association.getByRole("button", { name: "Envoyer le message" }).click();
    await association.waitForURL(`${bookingUrl}#conversation`);
    await association.locator("ol.messages li").filter({ hasText: "pupitres" }).waitFor();
    await axeCheck(association, "the booking page with its conversation (association)");
    const threadLink = await mailedLink(mailDir, ACCOUNTS.manager[0], "installer les pupitres", "/reservations/");
    await manager.goto(threadLink);
    if (!manager.url().startsWith(bookingUrl)) fail(`the message's e-mail leads to ${manager.url()}, not ${bookingUrl}`);
    await manager.getByLabel("Votre message").fill("Oui, le gardien ouvre à 17 h.");
    await manager.getByRole("button", { name: "Envoyer le message" }).click();
    await manager.waitForURL(`${bookingUrl}#conversation`);
    await manager.locator("ol.messages li").filter({ hasText: "le gardien ouvre" }).waitFor();
    await axeCheck(manager, "the booking page with its conversation (manager)");
    await mailedLink(mailDir, ACCOUNTS.association[0], "le gardien ouvre", "/reservations/");
    await association.goto(bookingUrl);
    await association.locator("ol.messages li").filter({ hasText: "le gardien ouvre" }).waitFor();
    // The manager's establishment: payouts, rooms, and a room's hours and blocks.
    await manager.getByRole("link", { name: "Établissements" }).click();
    await axeCheck(manager, "the manager's establishments");
    await manager.getByRole("link", { name: "Collège La Garenne" }).click();
    await manager.getByRole("heading", { name: "Salles" }).waitFor();
    await axeCheck(manager, "the establishment's management");
    await manager.locator("table a[href$='/gestion']").first().click();
    await manager.getByRole("heading", { name: "Horaires d'ouverture" }).waitFor();
    await manager.getByLabel("Jour", { exact: true }).fill("2027-03-15");
    await manager.getByLabel("De", { exact: true }).fill("18:00");
    await manager.getByLabel("À", { exact: true }).fill("20:00");
    await manager.getByLabel("Motif", { exact: true }).fill("Conseil de classe");
    await manager.getByRole("button", { name: "Bloquer ce créneau" }).click();
    await manager.getByRole("listitem").filter({ hasText: "Conseil de classe" }).waitFor();
    await manager.getByLabel("Délai de prévenance (heures avant le créneau)").fill("24");
    await manager.getByRole("button", { name: "Enregistrer les règles" }).click();
    await manager.waitForURL(/enregistre=1#regles$/);
    if ((await manager.getByLabel("Délai de prévenance (heures avant le créneau)").inputValue()) !== "24") {
      fail("the room's notice was not saved");
    }
    await axeCheck(manager, "a room's management");
    if (shoot) await manager.screenshot({ path: join(screenshots, "salle-gestion.png"), fullPage: true });

    // The association pays on the simulated provider's page.
    await association.goto(bookingUrl);
    await association.getByRole("button", { name: /^Payer/ }).click();
    await association.waitForURL(/\/paiement\/simule\//);
    await axeCheck(association, "the simulated checkout");
    if (shoot) await association.screenshot({ path: join(screenshots, "paiement.png"), fullPage: true });
    await association.getByRole("button", { name: /^Payer/ }).click();
    await association.getByText("Paiement accepté").waitFor();
    await axeCheck(association, "the payment outcome");
    let paid = false;
    for (let i = 0; i < 100 && !paid; i++) {
      await association.goto(bookingUrl);
      paid = (await association.getByText("payée").count()) > 0;
      if (!paid) await new Promise((r) => setTimeout(r, 100));
    }
    if (!paid) fail("the booking never showed as paid");
    await axeCheck(association, "the booking page (paid)");
    if (shoot) await association.screenshot({ path: join(screenshots, "reservation.png"), fullPage: true });

    // Finance sees the payment in the collège's ledger.
    const finance = await (await browser.newContext(contextOptions)).newPage();
    await signIn(finance, base, ACCOUNTS.finance);
    await finance.getByRole("link", { name: "Grands livres" }).click();
    await axeCheck(finance, "the ledgers");
    let found = false;
    for (let i = 0; i < 100 && !found; i++) {
      await finance.goto(`${base}/grand-livre`);
      found = (await finance.getByRole("link", { name: "Collège La Garenne" }).count()) > 0;
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    if (!found) fail("finance never saw the collège's ledger");
    await finance.getByRole("link", { name: "Collège La Garenne" }).click();
    // The payment: provider clearing (467100) debited with the booking's price.
    await finance.getByRole("cell", { name: /^467100/ }).first().waitFor();
    const price = (await association.locator("dd").nth(2).innerText()).trim();
    if ((await finance.getByRole("cell", { name: price, exact: true }).count()) < 2) {
      fail(`the ledger does not show the payment of ${price}`);
    }
    await axeCheck(finance, "the collège's ledger");
    if (shoot) await finance.screenshot({ path: join(screenshots, "grand-livre.png"), fullPage: true });
    // Each line leads to the booking's history, with what each event wrote.
    await finance.getByRole("link", { name: /^historique/ }).first().click();
    await finance.getByRole("heading", { name: "Historique" }).waitFor();
    if ((await finance.getByRole("cell", { name: /^467100/ }).count()) < 1) {
      fail("the booking's history does not show its ledger lines");
    }
    await axeCheck(finance, "the booking's history");
    if (shoot) await finance.screenshot({ path: join(screenshots, "historique.png"), fullPage: true });
    // The whole département, with its exports.
    await finance.goto(`${base}/grand-livre/departement`);
    await finance.getByRole("cell", { name: /^467100/ }).first().waitFor();
    if ((await finance.getByRole("link", { name: "FEC" }).count()) !== 1) fail("no FEC export link");
    await axeCheck(finance, "the département's ledger");
    // Reconciled with the simulated provider's records: no difference.
    await finance.getByRole("link", { name: "Rapprocher avec le prestataire de paiement" }).click();
    await finance.getByRole("heading", { name: /^Rapprochement/ }).waitFor();
    if ((await finance.getByText(/^Aucun écart/).count()) !== 1) {
      fail(`the reconciliation finds differences: ${await finance.locator("main").innerText()}`);
    }
    await axeCheck(finance, "the reconciliation");
    if (shoot) await finance.screenshot({ path: join(screenshots, "rapprochement.png"), fullPage: true });
    // The admin: collèges, invitations, the tariff grid, associations to verify.
    const admin = await (await browser.newContext(contextOptions)).newPage();
    await signIn(admin, base, ACCOUNTS.admin);
    await admin.getByRole("link", { name: "Administration", exact: true }).click();
    await admin.getByRole("heading", { name: "Grilles tarifaires" }).waitFor();
    await axeCheck(admin, "the administration");
    await admin.getByLabel("Nom de la personne").fill("Paul Martin");
    await admin.getByLabel("Adresse e-mail").fill("paul.martin@demo.salle.test");
    await admin.getByRole("button", { name: "Envoyer l'invitation" }).click();
    await admin.getByText("le lien part par e-mail à paul.martin@demo.salle.test").waitFor();
    const invitation = await mailedLink(mailDir, "paul.martin@demo.salle.test", "vous invite à gérer", "/invitation/");
    await axeCheck(admin, "the administration (invitation made)");
    if (shoot) await admin.screenshot({ path: join(screenshots, "administration.png"), fullPage: true });
    const invited = await (await browser.newContext(contextOptions)).newPage();
    await invited.goto(invitation.replace(/^https?:\/\/[^/]+/, base));
    await invited.getByRole("heading", { name: "Rejoindre salle comme gestionnaire" }).waitFor();
    await axeCheck(invited, "the invitation");
    // The admin suspends an establishment, with its reason, then reactivates it.
    await admin.getByRole("link", { name: "Établissements" }).click();
    await admin.getByRole("link", { name: "Collège La Garenne" }).click();
    await admin.getByRole("heading", { name: "Administration de l'établissement" }).waitFor();
    await axeCheck(admin, "an establishment's administration");
    await admin.getByLabel("Motif de la suspension (les associations le liront)").fill("Travaux dans le gymnase");
    await admin.getByRole("button", { name: "Suspendre l'établissement" }).click();
    await admin.getByText("Établissement suspendu").waitFor();
    await axeCheck(admin, "a suspended establishment's administration");
    await admin.getByRole("button", { name: "Réactiver l'établissement" }).click();
    await admin.getByRole("button", { name: "Suspendre l'établissement" }).waitFor();
    console.log(`${label}: the journey passed`);
    passed = true;
  } finally {
    server.kill("SIGTERM");
    rmSync(mailDir, { recursive: true, force: true });
    const { code, signal } = await exited;
    if (passed) {
      if (code !== 0) fail(`salle did not stop cleanly on SIGTERM (code ${code}, signal ${signal})`);
      checkLogs(logs.join(""), label);
    }
  }
}

const NEWCOMER = ["fanfare@demo.salle.test", "la fanfare de Voiron"];

/// The logs of a whole journey: every line JSON, requests with their id,
/// and no e-mail address, phone number, password or secret.
function checkLogs(text, label) {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  let answered = 0;
  for (const line of lines) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      fail(`${label}: a log line is not JSON: ${line}`);
    }
    if (entry.fields?.message === "answered") {
      answered += 1;
      if (!entry.spans?.some((s) => s.request_id)) fail(`${label}: a request's log line has no request id: ${line}`);
    }
  }
  if (answered < 50) fail(`${label}: only ${answered} requests logged`);
  const forbidden = [
    ["an e-mail address", /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/],
    ["a phone number", /(?:\+33|\b0)[1-9](?:[ .-]?\d{2}){4}\b/],
    ["a Stripe key or signing secret", /\b(?:sk|rk|pk)_(?:live|test)_|whsec_/],
    ["a session or form token", /"(?:token|csrf|password|authorization|cookie)"\s*:/i],
    ...Object.values(ACCOUNTS).map(([, password]) => ["a demo password", new RegExp(password)]),
    ["a new account's password", new RegExp(NEWCOMER[1])],
    ["a contact's name", /Louise Garnier|Paul Martin/],
  ];
  for (const [what, pattern] of forbidden) {
    const hit = lines.find((l) => pattern.test(l));
    if (hit) fail(`${label}: the logs hold ${what}: ${hit}`);
  }
  console.log(`${label}: ${lines.length} JSON log lines, ${answered} requests with their id, no personal data or secret`);
}

/// The log check must refuse what it looks for, or it proves nothing.
function checkTheLogCheck() {
  const leaks = [
    '{"fields":{"message":"x","to":"camille.roux@example.org"}}',
    '{"fields":{"message":"x","phone":"06 12 34 56 78"}}',
    '{"fields":{"message":"x","key":"sk_live_abc"}}',
  ];
  for (const leak of leaks) {
    let refused = false;
    try {
      checkLogs(leak, "self-check");
    } catch {
      refused = true;
    }
    if (!refused) fail(`the log check let a leak through: ${leak}`);
  }
}

async function main() {
  if (!bin) fail("SALLE_BIN must name the salle binary");
  checkTheLogCheck();
  mkdirSync(screenshots, { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  const dir = mkdtempSync(join(tmpdir(), "salle-browser-"));
  const pgName = `salle_browser_${process.pid}_${Date.now()}`;
  const admin = new URL(pgServer);
  const psql = (sql) =>
    execFileSync("psql", [pgServer, "-v", "ON_ERROR_STOP=1", "-qc", sql], { stdio: ["ignore", "ignore", "inherit"] });
  try {
    const shoot = process.env.SALLE_SCREENSHOTS === "1";
    await journey(browser, `sqlite://${join(dir, "salle.db")}`, "embedded SQLite", shoot);
    psql(`CREATE DATABASE ${pgName}`);
    admin.pathname = `/${pgName}`;
    await journey(browser, admin.toString(), "PostgreSQL", false);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
    try {
      psql(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    } catch {
      // never created
    }
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
