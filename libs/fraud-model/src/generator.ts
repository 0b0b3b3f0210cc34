import type { MerchantCategory, PaymentTransactionReceived } from '@spine/schemas';
import { Random } from './random.js';

// Math's functions as module constants: hot loops here would otherwise look the global up on every call, which is
// slow where globals are sandboxed (Jest runs tests in vm contexts: ~100× slower per lookup).
const { floor, imul, max, min, pow, round, sqrt } = Math;
const JsDate = Date;

/**
 * Seeded synthetic card payments with labelled fraud (generator "fraud-synth-v1"). Same options, same data: every
 * random draw comes from mulberry32 streams derived from the seed, and the output order is fully determined.
 *
 * Each customer draws from its own stream (seed × customer index), so the first k customers of a run are the same
 * whatever the total; the merchant universe comes from the seed alone.
 */
export const GENERATOR_ID = 'fraud-synth-v1';

export type FraudPattern = 'CARD_TESTING' | 'ACCOUNT_TAKEOVER' | 'SKIMMING';
export const FRAUD_PATTERNS: readonly FraudPattern[] = ['CARD_TESTING', 'ACCOUNT_TAKEOVER', 'SKIMMING'];

/** A payment as the gateway would post it (the schema's fields, no metadata), its time, and its label. */
export interface GeneratedTransaction extends Omit<PaymentTransactionReceived, 'metadata'> {
  occurredAt: Date;
  /** The label. Never an input of the model. */
  isFraud: boolean;
  /** Which fraud pattern produced it; null for a genuine payment. Reporting only. */
  fraudPattern: FraudPattern | null;
}

export interface GeneratorOptions {
  seed?: number;
  /** Customers; about 36 % of them hold a second card. */
  customers?: number;
  days?: number;
  /** First day, 00:00 UTC. */
  start?: string;
  /** Probability that a card suffers one fraud episode in the period. */
  compromiseRate?: number;
}

export const DEFAULT_GENERATOR_OPTIONS: Required<GeneratorOptions> = {
  seed: 42,
  customers: 2200,
  days: 60,
  start: '2026-09-01T00:00:00.000Z',
  compromiseRate: 0.2,
};

const DAY = 86_400;
const HOUR = 3_600;
const MINUTE = 60;

// ---------------------------------------------------------------------------------------------------------------
// The world: countries, categories, merchants.

/** Where customers live, with weights. */
const HOME_COUNTRIES = ['DE', 'FR', 'NL', 'ES', 'IT', 'GB', 'US', 'BE', 'AT'] as const;
const HOME_WEIGHTS = [28, 17, 9, 12, 12, 10, 6, 3, 3];
/** Europe (near each other) and the rest (far from a European home, and vice versa). */
const EUROPE = ['DE', 'FR', 'NL', 'ES', 'IT', 'GB', 'BE', 'AT', 'PT', 'IE', 'CH', 'PL', 'GR', 'LU'];
const AMERICAS_NEAR_US = ['US', 'CA', 'MX'];
const FAR_FROM_EUROPE = ['US', 'TH', 'MX', 'TR', 'AE', 'JP', 'MA', 'BR', 'ZA', 'ID', 'CA'];
/** Countries of online merchants beside the customers' own: big e-commerce hubs. */
const ONLINE_HUBS = ['IE', 'LU', 'NL', 'GB', 'US', 'DE', 'CY', 'MT'];
const ONLINE_HUB_WEIGHTS = [14, 10, 8, 8, 10, 6, 2, 2];

interface CategoryProfile {
  /** Median amount of one payment (before the customer's scale and the merchant's price level). */
  median: number;
  sigma: number;
  /** Share of the category's payments made online. */
  online: number;
  /** Base weight in a customer's mix. */
  weight: number;
}

const CATEGORIES: Record<MerchantCategory, CategoryProfile> = {
  GROCERY: { median: 32, sigma: 0.7, online: 0.05, weight: 30 },
  RESTAURANT: { median: 26, sigma: 0.6, online: 0.12, weight: 16 },
  FUEL: { median: 55, sigma: 0.35, online: 0, weight: 8 },
  TRAVEL: { median: 120, sigma: 1.0, online: 0.6, weight: 3 },
  ELECTRONICS: { median: 70, sigma: 1.1, online: 0.5, weight: 3 },
  FASHION: { median: 55, sigma: 0.8, online: 0.45, weight: 7 },
  DIGITAL_GOODS: { median: 9, sigma: 1.0, online: 1, weight: 6 },
  GAMBLING: { median: 25, sigma: 0.9, online: 1, weight: 0 },
  OTHER: { median: 22, sigma: 1.1, online: 0.3, weight: 14 },
};
const CATEGORY_NAMES = Object.keys(CATEGORIES) as MerchantCategory[];

/** Relative payment counts per UTC hour (card present: shop hours; online: evenings; fraud: flat, night-leaning). */
const CARD_PRESENT_HOURS = [0.2, 0.1, 0.05, 0.05, 0.05, 0.2, 0.6, 1.5, 2.5, 3, 3.5, 4, 5, 4.5, 3.5, 3.5, 4, 5, 5.5, 4.5, 3, 2, 1.2, 0.6];
const ONLINE_HOURS = [1, 0.6, 0.4, 0.3, 0.3, 0.4, 0.7, 1.2, 1.8, 2.2, 2.5, 2.7, 3, 2.8, 2.6, 2.6, 2.8, 3.2, 3.6, 4, 4.5, 4.5, 3.5, 2];
const FRAUD_HOURS = [2, 2, 2, 2, 1.5, 1.2, 1, 1, 1.2, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.6, 1.8, 2, 2, 2, 2];
const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** Monday first. */
const WEEKDAY_FACTOR = [0.95, 0.95, 1, 1, 1.1, 1.25, 0.75];

interface Merchant {
  id: string;
  category: MerchantCategory;
  country: string;
  online: boolean;
  /** Price level of the merchant: multiplies the category's median. */
  priceLevel: number;
}

class MerchantUniverse {
  private readonly cardPresent = new Map<string, Merchant[]>();
  private readonly onlineByCategory = new Map<MerchantCategory, Merchant[]>();
  private readonly onlineByCategoryCountry = new Map<string, Merchant[]>();
  private count = 0;

  constructor(random: Random) {
    const countries = [...new Set([...HOME_COUNTRIES, ...EUROPE, ...AMERICAS_NEAR_US, ...FAR_FROM_EUROPE])];
    for (const country of countries) {
      const homeIndex = (HOME_COUNTRIES as readonly string[]).indexOf(country);
      // Customers live in the home countries: many shops there; a few hundred elsewhere for travellers.
      const size = homeIndex >= 0 ? 70 * (HOME_WEIGHTS[homeIndex] ?? 1) : 160;
      for (const category of CATEGORY_NAMES) {
        const profile = CATEGORIES[category];
        if (profile.online >= 1) continue;
        const n = max(3, round((size * max(profile.weight, 2)) / 87));
        const list: Merchant[] = [];
        for (let i = 0; i < n; i += 1) list.push(this.create(random, category, country, false));
        this.cardPresent.set(`${country}/${category}`, list);
      }
    }
    const onlineCountries = [...HOME_COUNTRIES, ...ONLINE_HUBS];
    const onlineWeights = [...HOME_WEIGHTS, ...ONLINE_HUB_WEIGHTS];
    for (const category of CATEGORY_NAMES) {
      const profile = CATEGORIES[category];
      if (profile.online <= 0) continue;
      const n = round(60 + 900 * profile.online * (max(profile.weight, 3) / 30));
      const list: Merchant[] = [];
      for (let i = 0; i < n; i += 1) {
        const merchant = this.create(random, category, random.weighted(onlineCountries, onlineWeights), true);
        list.push(merchant);
        const key = `${merchant.country}/${category}`;
        const byCountry = this.onlineByCategoryCountry.get(key) ?? [];
        byCountry.push(merchant);
        this.onlineByCategoryCountry.set(key, byCountry);
      }
      this.onlineByCategory.set(category, list);
    }
  }

  private create(random: Random, category: MerchantCategory, country: string, online: boolean): Merchant {
    this.count += 1;
    const id = `mch-${String(this.count).padStart(6, '0')}`;
    return { id, category, country, online, priceLevel: random.lognormal(1, 0.3) };
  }

  cardPresentIn(country: string, category: MerchantCategory): readonly Merchant[] {
    const list = this.cardPresent.get(`${country}/${category}`);
    if (list === undefined || list.length === 0) {
      // Categories sold only online (digital goods, gambling): the nearest shop is an "other" one.
      return this.cardPresent.get(`${country}/OTHER`) ?? [];
    }
    return list;
  }

  online(category: MerchantCategory): readonly Merchant[] {
    return this.onlineByCategory.get(category) ?? this.onlineByCategory.get('OTHER') ?? [];
  }

  /** An online merchant of the category: in `country` when `domestic` and one exists there, else anywhere else. */
  onlineMerchant(random: Random, category: MerchantCategory, country: string, domestic: boolean): Merchant {
    const local = this.onlineByCategoryCountry.get(`${country}/${category}`);
    if (domestic && local !== undefined && local.length > 0) return random.pick(local);
    const all = this.online(category);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const merchant = random.pick(all);
      if (domestic || merchant.country !== country) return merchant;
    }
    return random.pick(all);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Customers and their cards.

interface Card {
  id: string;
  /** Share of the customer's payments on this card. */
  share: number;
  /** First second (since start) the card is used: some cards are issued during the period. */
  activeFrom: number;
}

interface Customer {
  id: string;
  index: number;
  home: string;
  currency: string;
  cards: Card[];
  /** Mean payments per day, all cards. */
  rate: number;
  /** Multiplies the category medians. */
  scale: number;
  onlineBias: number;
  /** Probability a payment goes to one of the usual merchants. */
  loyalty: number;
  preferences: number[];
  usualCardPresent: Map<MerchantCategory, Merchant[]>;
  usualOnline: Map<MerchantCategory, Merchant[]>;
  commuter: boolean;
  gamer: boolean;
  gambler: boolean;
}

interface Trip {
  country: string;
  from: number;
  to: number;
  merchants: Merchant[];
}

/** One payment before ids are assigned and the stream is sorted. */
interface Draft {
  t: number;
  seq: number;
  card: Card;
  customer: Customer;
  merchant: Merchant;
  amount: number;
  country: string;
  fraud: FraudPattern | null;
}

function currencyOf(home: string): string {
  if (home === 'GB') return 'GBP';
  if (home === 'US') return 'USD';
  return 'EUR';
}

/** Derives an independent 32-bit seed for stream `index` of `seed` (splitmix-style mixing). */
export function deriveSeed(seed: number, index: number): number {
  let z = (seed + imul(index + 1, 0x9e3779b9)) >>> 0;
  z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function createCustomer(random: Random, index: number, world: MerchantUniverse, cardIndex: { next: number }, days: number): Customer {
  const home = random.weighted(HOME_COUNTRIES, HOME_WEIGHTS);
  const cards: Card[] = [];
  const newCard = (share: number, activeFrom: number): Card => {
    cardIndex.next += 1;
    return { id: `card-${String(cardIndex.next).padStart(6, '0')}`, share, activeFrom };
  };
  cards.push(newCard(1, 0));
  if (random.chance(0.364)) {
    const share = random.uniform(0.15, 0.5);
    const first = cards[0] as Card;
    first.share = 1 - share;
    cards.push(newCard(share, random.chance(0.35) ? random.int(1, max(1, days - 15)) * DAY : 0));
  }

  const preferences = CATEGORY_NAMES.map((c) => (CATEGORIES[c].weight * random.gamma(2)) / 2);
  const gambler = random.chance(0.05);
  if (gambler) preferences[CATEGORY_NAMES.indexOf('GAMBLING')] = random.uniform(2, 8);

  const usualCardPresent = new Map<MerchantCategory, Merchant[]>();
  const usualOnline = new Map<MerchantCategory, Merchant[]>();
  for (const category of CATEGORY_NAMES) {
    const profile = CATEGORIES[category];
    if (profile.online < 1) {
      const pool = world.cardPresentIn(home, category);
      const n = 1 + random.poisson(category === 'GROCERY' || category === 'RESTAURANT' ? 3 : 1.5);
      usualCardPresent.set(category, Array.from({ length: n }, () => random.pick(pool)));
    }
    if (profile.online > 0) {
      const n = 1 + random.poisson(1.2);
      usualOnline.set(
        category,
        Array.from({ length: n }, () => world.onlineMerchant(random, category, home, random.chance(0.55))),
      );
    }
  }

  return {
    id: `cust-${String(index + 1).padStart(6, '0')}`,
    index,
    home,
    currency: currencyOf(home),
    cards,
    rate: min(7, max(0.15, random.lognormal(1.2, 0.6))),
    scale: random.lognormal(1, 0.45),
    onlineBias: random.lognormal(1, 0.4),
    loyalty: random.uniform(0.7, 0.95),
    preferences,
    usualCardPresent,
    usualOnline,
    commuter: random.chance(0.15),
    gamer: random.chance(0.12),
    gambler,
  };
}

function roundAmount(value: number, least: number): number {
  return max(least, round(value * 100) / 100);
}

/** A second within the given day, drawn from an hour profile. */
function timeOnDay(random: Random, day: number, hours: readonly number[]): number {
  return day * DAY + random.weighted(HOURS, hours) * HOUR + random.int(0, HOUR - 1);
}

class CustomerSimulation {
  readonly drafts: Draft[] = [];
  private seq = 0;

  constructor(
    private readonly random: Random,
    private readonly world: MerchantUniverse,
    private readonly customer: Customer,
    private readonly days: number,
    private readonly startWeekday: number,
  ) {}

  run(compromiseRate: number): void {
    const trips = this.planTrips();
    for (let day = 0; day < this.days; day += 1) this.simulateDay(day, trips);
    for (const card of this.customer.cards) {
      if (this.random.chance(compromiseRate)) this.fraudEpisode(card);
    }
  }

  private add(t: number, card: Card, merchant: Merchant, amount: number, fraud: FraudPattern | null): void {
    if (t < 0 || t >= this.days * DAY) return;
    if (t < card.activeFrom) return;
    this.seq += 1;
    this.drafts.push({ t, seq: this.seq, card, customer: this.customer, merchant, amount, country: merchant.country, fraud });
  }

  private pickCard(t: number): Card {
    const active = this.customer.cards.filter((c) => c.activeFrom <= t);
    if (active.length === 1) return active[0] as Card;
    return this.random.weighted(active, active.map((c) => c.share));
  }

  private amountFor(merchant: Merchant, factor = 1): number {
    const profile = CATEGORIES[merchant.category];
    return roundAmount(this.random.lognormal(profile.median * this.customer.scale * merchant.priceLevel * factor, profile.sigma), 0.5);
  }

  private planTrips(): Trip[] {
    const r = this.random;
    const trips: Trip[] = [];
    const count = r.chance(0.24) ? (r.chance(0.2) ? 2 : 1) : 0;
    for (let i = 0; i < count; i += 1) {
      const length = r.int(2, 12);
      const startDay = r.int(0, this.days - 1);
      const far = r.chance(0.35);
      const home = this.customer.home;
      const near = home === 'US' ? AMERICAS_NEAR_US : EUROPE;
      const farList = home === 'US' ? EUROPE : FAR_FROM_EUROPE;
      let country = r.pick(far ? farList : near);
      while (country === home) country = r.pick(far ? farList : near);
      trips.push({ country, from: startDay * DAY, to: min(this.days, startDay + length) * DAY, merchants: [] });
      // The booking (flight, hotel): online, days or weeks ahead.
      const booking = startDay * DAY - r.int(2, 40) * DAY + r.int(8, 22) * HOUR;
      const merchant = this.usualOrNewOnline('TRAVEL', 0.4);
      this.add(booking, this.pickCard(max(0, booking)), merchant, roundAmount(r.lognormal(320 * sqrt(this.customer.scale), 0.6), 20), null);
    }
    return trips;
  }

  private usualOrNewOnline(category: MerchantCategory, usualShare: number): Merchant {
    const usual = this.customer.usualOnline.get(category);
    if (usual !== undefined && usual.length > 0 && this.random.chance(usualShare)) return this.random.pick(usual);
    return this.world.onlineMerchant(this.random, category, this.customer.home, this.random.chance(0.5));
  }

  private simulateDay(day: number, trips: readonly Trip[]): void {
    const r = this.random;
    const c = this.customer;
    const dayStart = day * DAY;
    const trip = trips.find((tr) => tr.from <= dayStart && dayStart < tr.to);
    const weekday = (this.startWeekday + day) % 7;
    const n = r.poisson(c.rate * (WEEKDAY_FACTOR[weekday] ?? 1) * (trip ? 1.3 : 1));
    for (let k = 0; k < n; k += 1) this.regularPayment(day, trip);

    // Occasional big legitimate purchase, often at a shop never used before.
    if (r.chance(0.004)) {
      const category = r.weighted<MerchantCategory>(['ELECTRONICS', 'TRAVEL', 'FASHION'], [5, 3, 2]);
      const online = r.chance(0.55);
      const merchant = online
        ? this.world.onlineMerchant(r, category, c.home, r.chance(0.75))
        : r.pick(this.world.cardPresentIn(trip?.country ?? c.home, category));
      const t = timeOnDay(r, day, online ? ONLINE_HOURS : CARD_PRESENT_HOURS);
      this.add(t, this.pickCard(t), merchant, roundAmount(r.lognormal(450 * sqrt(c.scale), 0.7), 50), null);
    }
    // Parking and transit: bursts of small card-present payments.
    if (c.commuter && !trip && weekday < 5 && r.chance(0.12)) {
      const usual = c.usualCardPresent.get('OTHER') ?? [];
      const merchants = usual.length > 0 ? usual : this.world.cardPresentIn(c.home, 'OTHER');
      let t = timeOnDay(r, day, CARD_PRESENT_HOURS);
      const card = this.pickCard(t);
      const count = r.int(3, 6);
      for (let i = 0; i < count; i += 1) {
        const merchant = r.chance(0.25) ? r.pick(this.world.cardPresentIn(c.home, 'OTHER')) : r.pick(merchants);
        this.add(t, card, merchant, roundAmount(r.lognormal(3, 0.4), 0.5), null);
        t += r.int(4, 25) * MINUTE + r.int(0, 59);
      }
    }
    // In-app purchases: bursts of small online payments, mostly at the usual app store.
    if (c.gamer && r.chance(0.1)) {
      const usual = c.usualOnline.get('DIGITAL_GOODS') ?? [];
      let t = timeOnDay(r, day, ONLINE_HOURS);
      const card = this.pickCard(t);
      const count = r.int(2, 8);
      for (let i = 0; i < count; i += 1) {
        const merchant =
          usual.length > 0 && r.chance(0.8) ? r.pick(usual) : this.world.onlineMerchant(r, 'DIGITAL_GOODS', c.home, r.chance(0.5));
        this.add(t, card, merchant, r.pick([0.99, 1.99, 2.99, 4.99, 9.99, 19.99]), null);
        t += 30 + round(r.exponential(6 * MINUTE));
      }
    }
    // Gambling sessions: several deposits in an evening.
    if (c.gambler && r.chance(0.15)) {
      const usual = c.usualOnline.get('GAMBLING') ?? [];
      let t = day * DAY + r.int(18, 23) * HOUR + r.int(0, HOUR - 1);
      const card = this.pickCard(t);
      const count = r.int(2, 6);
      for (let i = 0; i < count; i += 1) {
        const merchant = usual.length > 0 && r.chance(0.9) ? r.pick(usual) : this.world.onlineMerchant(r, 'GAMBLING', c.home, false);
        this.add(t, card, merchant, this.amountFor(merchant), null);
        t += 60 + round(r.exponential(20 * MINUTE));
      }
    }
  }

  private regularPayment(day: number, trip: Trip | undefined): void {
    const r = this.random;
    const c = this.customer;
    const preferences = trip
      ? c.preferences.map((w, i) => w * TRIP_CATEGORY_FACTOR[i]!)
      : c.preferences;
    const category = r.weighted(CATEGORY_NAMES, preferences);
    const profile = CATEGORIES[category];
    const online = profile.online >= 1 || r.chance(min(0.95, profile.online * c.onlineBias * (trip ? 0.4 : 1)));

    let merchant: Merchant;
    if (online) {
      merchant = this.usualOrNewOnline(category, c.loyalty);
    } else if (trip) {
      // Abroad: new shops mostly, some visited again during the trip.
      if (trip.merchants.length > 0 && r.chance(0.3)) {
        merchant = r.pick(trip.merchants);
      } else {
        merchant = r.pick(this.world.cardPresentIn(trip.country, category));
        trip.merchants.push(merchant);
      }
    } else {
      const usual = c.usualCardPresent.get(category) ?? [];
      merchant = usual.length > 0 && r.chance(c.loyalty) ? usual[floor(pow(r.next(), 1.6) * usual.length)]! : r.pick(this.world.cardPresentIn(c.home, category));
    }
    const t = timeOnDay(r, day, online ? ONLINE_HOURS : CARD_PRESENT_HOURS);
    this.add(t, this.pickCard(t), merchant, this.amountFor(merchant), null);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Fraud.

  private fraudEpisode(card: Card): void {
    const r = this.random;
    const startDay = r.int(floor(card.activeFrom / DAY), this.days - 1);
    const t0 = timeOnDay(r, startDay, FRAUD_HOURS);
    const pattern = r.weighted(FRAUD_PATTERNS, [0.4, 0.3, 0.3]);
    if (pattern === 'CARD_TESTING') this.cardTesting(card, t0);
    else if (pattern === 'ACCOUNT_TAKEOVER') this.accountTakeover(card, t0);
    else this.skimming(card, t0);
  }

  /** Small online payments minutes apart at merchants the card never used, then often a cash-out. */
  private cardTesting(card: Card, t0: number): void {
    const r = this.random;
    const c = this.customer;
    const count = 2 + r.poisson(3.5);
    const slow = r.chance(0.25);
    const domestic = r.chance(0.5);
    let t = t0;
    for (let i = 0; i < count; i += 1) {
      const category: MerchantCategory = r.chance(0.6) ? 'DIGITAL_GOODS' : 'OTHER';
      const merchant = this.world.onlineMerchant(r, category, c.home, domestic);
      const amount = r.chance(0.7) ? roundAmount(r.uniform(0.5, 3), 0.5) : roundAmount(r.lognormal(6, 0.6), 0.5);
      this.add(t, card, merchant, amount, 'CARD_TESTING');
      t += slow ? 60 + round(r.exponential(25 * MINUTE)) : 20 + round(r.exponential(150));
    }
    if (r.chance(0.45)) {
      const cashOuts = r.int(1, 2);
      for (let i = 0; i < cashOuts; i += 1) {
        t += round(r.exponential(2 * HOUR));
        const category = r.weighted<MerchantCategory>(['ELECTRONICS', 'DIGITAL_GOODS', 'FASHION'], [5, 3, 2]);
        const merchant = this.world.onlineMerchant(r, category, c.home, r.chance(0.4));
        this.add(t, card, merchant, roundAmount(r.lognormal(260, 0.7), 10), 'CARD_TESTING');
      }
    }
  }

  /** Online purchases of resellable goods with the customer's stored card: high amounts, mostly new merchants. */
  private accountTakeover(card: Card, t0: number): void {
    const r = this.random;
    const c = this.customer;
    const count = 1 + r.poisson(1.3);
    let t = t0;
    for (let i = 0; i < count; i += 1) {
      const category = r.weighted<MerchantCategory>(['ELECTRONICS', 'TRAVEL', 'GAMBLING', 'FASHION'], [45, 25, 20, 10]);
      const usual = c.usualOnline.get(category) ?? [];
      const merchant =
        usual.length > 0 && r.chance(0.2) ? r.pick(usual) : this.world.onlineMerchant(r, category, c.home, r.chance(0.4));
      this.add(t, card, merchant, roundAmount(r.lognormal(category === 'GAMBLING' ? 200 : 380, 0.8), 10), 'ACCOUNT_TAKEOVER');
      t += 120 + round(r.exponential(3 * HOUR));
    }
  }

  /** A cloned card used in shops abroad, several times in a day, while the real card stays at home. */
  private skimming(card: Card, t0: number): void {
    const r = this.random;
    const home = this.customer.home;
    const far = r.chance(0.75);
    const near = home === 'US' ? AMERICAS_NEAR_US : EUROPE;
    const farList = home === 'US' ? EUROPE : FAR_FROM_EUROPE;
    let country = r.pick(far ? farList : near);
    while (country === home) country = r.pick(far ? farList : near);
    const count = 2 + r.poisson(2.5);
    let t = t0;
    for (let i = 0; i < count; i += 1) {
      const category = r.weighted<MerchantCategory>(['FUEL', 'ELECTRONICS', 'OTHER', 'FASHION', 'GROCERY'], [20, 25, 25, 15, 15]);
      const merchant = r.pick(this.world.cardPresentIn(country, category));
      this.add(t, card, merchant, roundAmount(r.lognormal(140, 0.8), 5), 'SKIMMING');
      t += 10 * MINUTE + round(r.exponential(80 * MINUTE));
    }
  }
}

/** During a trip: more restaurants and travel, no groceries for the family, few digital goods. */
const TRIP_CATEGORY_FACTOR: readonly number[] = CATEGORY_NAMES.map((c) => {
  switch (c) {
    case 'RESTAURANT':
      return 2.5;
    case 'TRAVEL':
      return 4;
    case 'GROCERY':
      return 0.5;
    case 'DIGITAL_GOODS':
    case 'GAMBLING':
      return 0.3;
    default:
      return 1;
  }
});

// ---------------------------------------------------------------------------------------------------------------

/** The options with defaults filled in (an undefined option takes its default). */
export function resolveGeneratorOptions(options: GeneratorOptions = {}): Required<GeneratorOptions> {
  const o = { ...DEFAULT_GENERATOR_OPTIONS };
  if (options.seed !== undefined) o.seed = options.seed;
  if (options.customers !== undefined) o.customers = options.customers;
  if (options.days !== undefined) o.days = options.days;
  if (options.start !== undefined) o.start = options.start;
  if (options.compromiseRate !== undefined) o.compromiseRate = options.compromiseRate;
  return o;
}

/** All payments of the period, in time order (ties: customer, then generation order), with ids tx-0000001…. */
export function generateTransactions(options: GeneratorOptions = {}): GeneratedTransaction[] {
  const o = resolveGeneratorOptions(options);
  if (!Number.isInteger(o.customers) || o.customers < 1) throw new Error(`customers must be a positive integer`);
  if (!Number.isInteger(o.days) || o.days < 1) throw new Error(`days must be a positive integer`);
  const startMs = Date.parse(o.start);
  if (Number.isNaN(startMs)) throw new Error(`start must be an ISO date, got ${o.start}`);
  const startWeekday = (new Date(startMs).getUTCDay() + 6) % 7;

  const world = new MerchantUniverse(new Random(o.seed));
  const cardIndex = { next: 0 };
  const drafts: Draft[] = [];
  for (let i = 0; i < o.customers; i += 1) {
    const random = new Random(deriveSeed(o.seed, i));
    const customer = createCustomer(random, i, world, cardIndex, o.days);
    const sim = new CustomerSimulation(random, world, customer, o.days, startWeekday);
    sim.run(o.compromiseRate);
    for (const d of sim.drafts) drafts.push(d);
  }
  drafts.sort((a, b) => a.t - b.t || a.customer.index - b.customer.index || a.seq - b.seq);

  return drafts.map((d, i) => ({
    transactionId: `tx-${`${i + 1}`.padStart(7, '0')}`,
    cardId: d.card.id,
    customerId: d.customer.id,
    merchantId: d.merchant.id,
    merchantCategory: d.merchant.category,
    amount: d.amount.toFixed(2),
    currency: d.customer.currency,
    country: d.country,
    channel: d.merchant.online ? 'ONLINE' : 'CARD_PRESENT',
    occurredAt: new JsDate(startMs + d.t * 1000),
    isFraud: d.fraud !== null,
    fraudPattern: d.fraud,
  }));
}

/** The event the payment gateway would publish for a generated payment (the label stays behind). */
export function toPaymentTransactionReceived(tx: GeneratedTransaction): PaymentTransactionReceived {
  return {
    metadata: {
      eventId: `evt-${tx.transactionId}`,
      occurredAt: tx.occurredAt,
      receivedAt: tx.occurredAt,
      source: 'synthetic-gateway',
      correlationId: tx.transactionId,
    },
    transactionId: tx.transactionId,
    cardId: tx.cardId,
    customerId: tx.customerId,
    merchantId: tx.merchantId,
    merchantCategory: tx.merchantCategory,
    amount: tx.amount,
    currency: tx.currency,
    country: tx.country,
    channel: tx.channel,
  };
}
