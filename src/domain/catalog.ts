import { z } from 'zod';
import { DEFAULT_CURRENCY } from './money';

export const ProductSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  category: z.string().min(1),
  price: z.number().nonnegative(),
  currency: z.string().length(3),
  /** Units that can still be reserved. */
  available: z.number().int().nonnegative(),
  /** Units held by orders in flight or shipped. */
  reserved: z.number().int().nonnegative(),
});
export type Product = z.infer<typeof ProductSchema>;

export interface CatalogEntry {
  id: string;
  name: string;
  category: string;
  price: number;
  initialStock: number;
}

/** The demo catalog the seed script and the embedded host load. */
export const DEMO_CATALOG: readonly CatalogEntry[] = [
  { id: 'dog-food-5kg', name: 'Dog food 5 kg', category: 'dogs', price: 24.99, initialStock: 500 },
  { id: 'cat-food-2kg', name: 'Cat food 2 kg', category: 'cats', price: 12.5, initialStock: 500 },
  { id: 'dog-leash', name: 'Dog leash', category: 'dogs', price: 15, initialStock: 200 },
  { id: 'cat-tree', name: 'Cat tree', category: 'cats', price: 89.9, initialStock: 50 },
  { id: 'fish-tank-60l', name: 'Fish tank 60 l', category: 'fish', price: 129, initialStock: 25 },
  { id: 'bird-cage', name: 'Bird cage', category: 'birds', price: 59.95, initialStock: 40 },
  { id: 'hamster-wheel', name: 'Hamster wheel', category: 'small-pets', price: 9.99, initialStock: 300 },
  { id: 'premium-aquarium', name: 'Premium aquarium 500 l', category: 'fish', price: 4999, initialStock: 10 },
  { id: 'rare-parrot-perch', name: 'Rare parrot perch', category: 'birds', price: 45, initialStock: 0 },
];

export function productFromCatalog(entry: CatalogEntry): Product {
  return {
    id: entry.id,
    name: entry.name,
    category: entry.category,
    price: entry.price,
    currency: DEFAULT_CURRENCY,
    available: entry.initialStock,
    reserved: 0,
  };
}
