import { z } from 'zod';

/** The offers queue message: identifiers only (no coordinates, no profile). */
export const OfferMessageSchema = z
  .object({
    type: z.literal('offer.created'),
    tenantId: z.string().min(1),
    shopperId: z.string().min(1),
    offerId: z.string().min(1),
  })
  .strict();
export type OfferMessage = z.infer<typeof OfferMessageSchema>;
