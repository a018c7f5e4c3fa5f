package io.herald.broadcast;

import static io.herald.broadcast.Masking.mask;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.MaskType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class MaskingTest {

    @Test
    void ssnKeepsTheLastFourDigitsBehindFiveStars() {
        assertThat(mask(MaskType.SSN, "123-45-6789")).isEqualTo("*****6789");
        assertThat(mask(MaskType.SSN, "123456789")).isEqualTo("*****6789");
        assertThat(mask(MaskType.SSN, " 123 45 6789 ")).isEqualTo("*****6789");
    }

    @Test
    void ssnWithFewerThanFourDigitsRevealsNothing() {
        assertThat(mask(MaskType.SSN, "123")).isEqualTo("*****");
        assertThat(mask(MaskType.SSN, "")).isEqualTo("*****");
        assertThat(mask(MaskType.SSN, "unknown")).isEqualTo("*****");
    }

    @Test
    void emailKeepsTheFirstLetterAndTheDomain() {
        assertThat(mask(MaskType.EMAIL, "jane@acme.com")).isEqualTo("j***@acme.com");
        assertThat(mask(MaskType.EMAIL, "j@acme.com")).isEqualTo("j***@acme.com");
        assertThat(mask(MaskType.EMAIL, "first.last+tag@mail.example.org")).isEqualTo("f***@mail.example.org");
    }

    @Test
    void emailUsesTheLastAtSign() {
        assertThat(mask(MaskType.EMAIL, "\"a@b\"@acme.com")).isEqualTo("\"***@acme.com");
    }

    @Test
    void somethingThatIsNotAnEmailIsRedacted() {
        assertThat(mask(MaskType.EMAIL, "jane")).isEqualTo("[redacted]");
        assertThat(mask(MaskType.EMAIL, "@acme.com")).isEqualTo("[redacted]");
        assertThat(mask(MaskType.EMAIL, "")).isEqualTo("[redacted]");
    }

    @Test
    void emailKeepsAWholeFirstCharacterOutsideTheBmp() {
        assertThat(mask(MaskType.EMAIL, "\uD835\uDC9Cbc@acme.com")).isEqualTo("\uD835\uDC9C***@acme.com");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "+1 (555) 123-4567 | +* (***) ***-4567",
            "5551234567        | ******4567",
            "555-1234          | ***-1234",
            "1234              | 1234",
            "12                | 12",
            "ext. 12345        | ext. *2345"})
    void phoneHidesEveryDigitButTheLastFourAndKeepsSeparators(String phone, String masked) {
        assertThat(mask(MaskType.PHONE, phone)).isEqualTo(masked);
    }

    @Test
    void anEmptyPhoneStaysEmpty() {
        assertThat(mask(MaskType.PHONE, "")).isEmpty();
    }

    @Test
    void nameKeepsTheFirstLetter() {
        assertThat(mask(MaskType.NAME, "Jane Doe")).isEqualTo("J***");
        assertThat(mask(MaskType.NAME, "J")).isEqualTo("J***");
        assertThat(mask(MaskType.NAME, "Élodie")).isEqualTo("É***");
        assertThat(mask(MaskType.NAME, "\uD83D\uDE00 smiley")).isEqualTo("\uD83D\uDE00***");
    }

    @Test
    void anEmptyNameIsOnlyStars() {
        assertThat(mask(MaskType.NAME, "")).isEqualTo("***");
    }

    @ParameterizedTest
    @CsvSource({"anything", "123-45-6789", "jane@acme.com", "''"})
    void redactReplacesEveryValue(String value) {
        assertThat(mask(MaskType.REDACT, value)).isEqualTo("[redacted]");
    }

    @ParameterizedTest
    @EnumSource(MaskType.class)
    void noMaskReturnsTheSecretPartOfAnSsnShapedValue(MaskType type) {
        assertThat(mask(type, "123-45-6789")).doesNotContain("123-45").doesNotContain("12345");
    }
}
