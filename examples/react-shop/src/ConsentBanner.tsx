// The shop's own consent banner, wired through @waybill/react: useConsent() says whether the
// visitor has answered, useWaybill().consent.update() applies the answer at once, and the
// answer is kept for the next visit (see waybill.ts, which applies it before the first event).
import { useState, type FormEvent } from 'react';
import { useConsent, useWaybill } from '@waybill/react';
import { storeChoice, type Choice } from '../../spa-common/shop-kit';

const ALL: Choice = { analytics: 'granted', marketing: 'granted' };
const NONE: Choice = { analytics: 'denied', marketing: 'denied' };

export function ConsentBanner({ preferences, onClose }: { preferences: boolean; onClose: () => void }) {
  const consent = useConsent();
  const waybill = useWaybill();
  const [managing, setManaging] = useState(false);
  const choose = (choice: Choice) => {
    storeChoice(choice);
    waybill.consent.update(choice);
    setManaging(false);
    onClose();
  };
  const save = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    choose({ analytics: form.has('analytics') ? 'granted' : 'denied', marketing: form.has('marketing') ? 'granted' : 'denied' });
  };

  if (preferences || managing) {
    return (
      <section className="consent-banner" role="dialog" aria-label="Privacy preferences">
        <h2>Privacy preferences</h2>
        <p>Turn each purpose on or off. A purpose you turn off stops at once, and what was kept for it is deleted.</p>
        <form onSubmit={save}>
          <label>
            <input type="checkbox" name="analytics" defaultChecked={consent.analytics === 'granted'} />
            <span><strong>Analytics</strong> Events sent to our own server (Waybill) and Google Analytics.</span>
          </label>
          <label>
            <input type="checkbox" name="marketing" defaultChecked={consent.marketing === 'granted'} />
            <span><strong>Marketing</strong> Tells ad partners (TikTok) which ads brought you here.</span>
          </label>
          <div className="consent-banner__actions">
            <button type="button" className="btn" onClick={() => choose(ALL)}>Accept all</button>
            <button type="button" className="btn" onClick={() => choose(NONE)}>Reject all</button>
            <button type="submit" className="btn btn--primary">Save preferences</button>
          </div>
        </form>
      </section>
    );
  }
  if (consent.analytics !== 'pending') return null;
  return (
    <section className="consent-banner" role="dialog" aria-label="Your privacy, your choice">
      <h2>Your privacy, your choice</h2>
      <p>
        We would like to measure how the shop is used (analytics) and tell ad partners which ads brought you here (marketing).
        Nothing is sent or stored for either until you choose.
      </p>
      <div className="consent-banner__actions">
        <button type="button" className="btn btn--primary" onClick={() => choose(ALL)}>Accept all</button>
        <button type="button" className="btn" onClick={() => choose(NONE)}>Reject all</button>
        <button type="button" className="btn btn--ghost" onClick={() => setManaging(true)}>Manage preferences</button>
      </div>
    </section>
  );
}
