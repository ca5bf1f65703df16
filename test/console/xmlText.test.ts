import test from 'ava';
import { formatXml } from '../../src/console/xmlText.ts';

test('an XML document is indented by depth, text kept with its element, nothing expanded', (t) => {
  const document = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "http://example.invalid/">]><a x="1>2"><!-- c --><b>t &amp; &e;</b><c/><d>
 <e></e></d><f><![CDATA[<z>]]></f></a>`;
  t.is(
    formatXml(document),
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE x [<!ENTITY e SYSTEM "http://example.invalid/">]>',
      '<a x="1>2">',
      '  <!-- c -->',
      '  <b>t &amp; &e;</b>',
      '  <c/>',
      '  <d>',
      '    <e></e>',
      '  </d>',
      '  <f>',
      '    <![CDATA[<z>]]>',
      '  </f>',
      '</a>',
    ].join('\n'),
  );
});

test('text that is not XML comes back as it was', (t) => {
  t.is(formatXml('not < xml'), 'not < xml');
  t.is(formatXml('<a><b x=1>'), '<a><b x=1>', 'an unquoted attribute is no XML tag');
});
