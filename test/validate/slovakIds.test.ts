import test from 'ava';
import { checkPartyIdentifiers } from '../../src/validate/partyIdentifiers.ts';
import { checkDic, checkIban, checkIco, checkVatId, icoCheckDigit } from '../../src/validate/slovakIds.ts';
import { codesAndFields, slovakInvoice } from './slovakInvoice.ts';

const codeOf = (fault: { code: string } | null) => fault?.code ?? null;

test('IČO: numbers pass the mod-11 check, whichever branch gives their check digit', (t) => {
  t.is(icoCheckDigit('3655572'), 0, 'weighted sum mod 11 is 1, so the digit is 0');
  t.is(icoCheckDigit('0015662'), 1, 'weighted sum mod 11 is 0, so the digit is 1');
  t.is(icoCheckDigit('3555583'), 1, 'weighted sum mod 11 is 10, so the digit is 1');
  t.is(icoCheckDigit('3575744'), 2, '11 − 9');
  for (const ico of ['36555720', '35757442', '00151742', '00156621', '35555831', '36421928', '35697270'])
    t.is(checkIco(ico), null, ico);
});

test('IČO: spaces are ignored and a 6-digit legacy number is read zero-padded', (t) => {
  t.is(checkIco('36 555 720'), null);
  t.is(checkIco('151742'), null, 'the same as 00151742');
  t.is(codeOf(checkIco('151743')), 'ICO_CHECKSUM');
});

test('IČO: a wrong check digit or shape is named', (t) => {
  t.deepEqual(checkIco('36555721'), {
    code: 'ICO_CHECKSUM',
    reason: 'fails the mod-11 check: its last digit should be 0',
  });
  t.is(codeOf(checkIco('35757443')), 'ICO_CHECKSUM');
  for (const bad of ['3655572', '365557200', '36-555-720', 'ABCDEFGH', '1234567'])
    t.is(codeOf(checkIco(bad)), 'ICO_FORMAT', bad);
});

test('DIČ: 10 digits for Slovak parties, CZ and 8 to 10 digits for Czech ones', (t) => {
  for (const dic of ['2020317068', '1234567890', '20 2031 7068', 'CZ12345678', 'CZ123456789', 'CZ1234567890'])
    t.is(checkDic(dic), null, dic);
  for (const bad of ['202031706', '20203170681', 'SK2020317068', 'CZ1234567', 'CZ12345678901', 'DE123456789'])
    t.is(codeOf(checkDic(bad)), 'DIC_FORMAT', bad);
});

test('IČ DPH: SK and 10 digits divisible by 11', (t) => {
  for (const vatId of ['SK2020317068', 'SK2020273893', 'SK2021234567', 'SK 2020 317 068', 'sk2020317068'])
    t.is(checkVatId(vatId), null, vatId);
  t.deepEqual(checkVatId('SK2020312345'), {
    code: 'VAT_ID_CHECKSUM',
    reason: 'fails the check: its 10 digits are not divisible by 11',
  });
  t.is(codeOf(checkVatId('SK202031706')), 'VAT_ID_FORMAT');
  t.is(codeOf(checkVatId('SK20203170680')), 'VAT_ID_FORMAT');
});

test('EU VAT numbers of other countries pass on shape; a non-EU or missing prefix does not', (t) => {
  for (const vatId of ['DE123456789', 'ATU12345678', 'CZ12345678', 'HU12345678', 'EL123456789', 'XI123456789'])
    t.is(checkVatId(vatId), null, vatId);
  t.is(codeOf(checkVatId('GB123456789')), 'VAT_ID_COUNTRY');
  t.is(codeOf(checkVatId('GR123456789')), 'VAT_ID_COUNTRY', 'Greece is EL in VAT numbers');
  t.is(codeOf(checkVatId('2020317068')), 'VAT_ID_FORMAT');
  t.is(codeOf(checkVatId('DE1')), 'VAT_ID_FORMAT');
  t.is(codeOf(checkVatId('FR12345678901234')), 'VAT_ID_FORMAT');
});

test('IBAN: the mod-97 check, with spaces and lower case allowed', (t) => {
  for (const iban of [
    'SK3112000000198742637541',
    'SK31 1200 0000 1987 4263 7541',
    'sk3112000000198742637541',
    'CZ6508000000192000145399',
    'DE89370400440532013000',
    'AT611904300234573201',
    'HU42117730161111101800000000',
    'GB29NWBK60161331926819',
  ])
    t.is(checkIban(iban), null, iban);
  t.is(codeOf(checkIban('SK3112000000198742637542')), 'IBAN_CHECKSUM');
  t.is(codeOf(checkIban('GB29NWBK6016133192681')), 'IBAN_CHECKSUM', 'a length the general bounds allow');
});

test('IBAN: the length of its country, or 15 to 34 characters elsewhere', (t) => {
  t.deepEqual(checkIban('SK31120000001987426375'), {
    code: 'IBAN_LENGTH',
    reason: 'has 22 characters where SK IBANs have 24',
  });
  t.is(codeOf(checkIban('DE8937040044053201300')), 'IBAN_LENGTH');
  t.is(codeOf(checkIban('NO938601111794')), 'IBAN_LENGTH', '14 characters');
  t.is(codeOf(checkIban('SK3')), 'IBAN_FORMAT');
  t.is(codeOf(checkIban('3112000000198742637541SK')), 'IBAN_FORMAT');
  t.is(codeOf(checkIban('SK31-1200-0000-1987-4263-7541')), 'IBAN_FORMAT');
});

test('a party with valid identifiers has no problems', (t) => {
  t.deepEqual(checkPartyIdentifiers(slovakInvoice()), []);
});

test('every faulty identifier of both parties is reported with its field', (t) => {
  const invoice = slovakInvoice();
  invoice.supplier.ico = '36555721';
  invoice.supplier.ic_dph = 'SK2020312345';
  invoice.supplier.iban = 'SK3112000000198742637542';
  invoice.customer.dic = '123';
  invoice.customer.vat_id = 'GB123456789';
  const problems = checkPartyIdentifiers(invoice);
  t.deepEqual(codesAndFields(problems), [
    ['ICO_CHECKSUM', 'supplier.ico'],
    ['VAT_ID_CHECKSUM', 'supplier.ic_dph'],
    ['DIC_FORMAT', 'customer.dic'],
    ['VAT_ID_COUNTRY', 'customer.vat_id'],
    ['IBAN_CHECKSUM', 'supplier.iban'],
  ]);
  t.true(problems.every((problem) => problem.severity === 'error'));
  t.is(problems[0]!.message, 'Supplier IČO "36555721" fails the mod-11 check: its last digit should be 0.');
});

test('identifiers that were not extracted are not checked', (t) => {
  const invoice = slovakInvoice();
  invoice.supplier.ico = null;
  invoice.supplier.iban = null;
  invoice.customer.dic = '';
  invoice.customer.ic_dph = '  ';
  t.deepEqual(checkPartyIdentifiers(invoice), []);
});
