// A static page with an image Next.js optimizes on request
// (/_next/image): the resized copy is cached under .next/cache/images.
import Image from 'next/image';

export default function Home() {
  return (
    <main>
      <h1>hello from next</h1>
      <Image src="/dot.png" width={16} height={16} alt="dot" />
    </main>
  );
}
