// Incremental static regeneration: prerendered by next build, then
// regenerated at most once a second on request, and written back over the
// prerendered files in .next/server/pages (isr.html, isr.json).
export async function getStaticProps() {
  return { props: { stamp: String(Date.now()) }, revalidate: 1 };
}

export default function Isr({ stamp }) {
  return <p id="stamp">{`stamp:${stamp}:`}</p>;
}
